"""Channel health: a channel that keeps failing alerts the operators, once per incident, elsewhere.

The alert goes to the channels tagged ``ops_tag``, never through the failing channel itself; a
second message says when the channel works again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import structlog
from sqlmodel import Session, col, select

from actions.models import ChannelHealth
from actions.upsert import insert_for
from config.settings import Settings
from jobs import outbox
from jobs.channels import ChannelRef

log = structlog.get_logger("ua_scheduler.health")


def record(
    session: Session,
    channel: str,
    *,
    ok: bool,
    now: datetime,
    settings: Settings,
    channels: Mapping[str, ChannelRef],
) -> None:
    """Note one send's outcome; raise or clear the channel's incident when it changes.

    Sends to one channel end side by side: the row is made if missing, then locked while counted.
    A success on a healthy channel changes nothing and writes nothing.
    """
    if ok:
        current = session.get(ChannelHealth, channel)
        if current is None or (current.consecutive_failures == 0 and not current.alerting):
            return
    _ensure_row(session, channel)
    state = session.exec(
        select(ChannelHealth).where(ChannelHealth.channel == channel).with_for_update()
    ).one()
    if ok:
        if state.alerting:
            _alert(session, channel, state, now=now, settings=settings, channels=channels, down=False)
            log.info("channel.recovered", channel=channel)
        state.consecutive_failures = 0
        state.alerting = False
        state.since = None
    else:
        state.consecutive_failures += 1
        state.since = state.since or now
        if not state.alerting and state.consecutive_failures >= settings.ops_alert_after:
            state.alerting = True
            _alert(session, channel, state, now=now, settings=settings, channels=channels, down=True)
            log.error("channel.down", channel=channel, failures=state.consecutive_failures)
    session.add(state)


def troubled(session: Session) -> set[str]:
    """Channels with failures not yet cleared: only their successes need writing."""
    rows = session.exec(
        select(ChannelHealth.channel).where(
            (col(ChannelHealth.consecutive_failures) > 0) | col(ChannelHealth.alerting)
        )
    ).all()
    return set(rows)


def _ensure_row(session: Session, channel: str) -> None:
    insert = insert_for(session.get_bind().dialect.name, ChannelHealth)
    session.exec(insert.values(channel=channel).on_conflict_do_nothing())


def _alert(
    session: Session,
    channel: str,
    state: ChannelHealth,
    *,
    now: datetime,
    settings: Settings,
    channels: Mapping[str, ChannelRef],
    down: bool,
) -> None:
    since = state.since or now
    if down:
        title = f"ua-scheduler: channel {channel} is failing"
        body = (
            f"Channel **{channel}** failed {state.consecutive_failures} times in a row since "
            f"{since:%Y-%m-%d %H:%M} UTC. Its messages are retried with backoff; see "
            "`ua-scheduler deliveries --status failed`."
        )
    else:
        title = f"ua-scheduler: channel {channel} works again"
        body = f"Channel **{channel}** delivered again at {now:%Y-%m-%d %H:%M} UTC."
    incident = f"{since:%Y%m%dT%H%M%S}"
    for target in channels.values():
        if settings.ops_tag not in target.tags or target.name == channel:
            continue
        outbox.enqueue(
            session,
            key=f"ops/{channel}/{incident}/{'down' if down else 'up'}/{target.name}",
            kind="ops",
            channel=target.name,
            title=title,
            body=body,
            now=now,
        )
