"""The real ``ua-scheduler run`` process, with offsets of seconds, real sinks and a restart.

Every wait is on something observable (a log line, a sink's arrival) with a generous time-out, and
the start budget is measured from the daemon's own ``daemon.started`` line, so a busy machine makes
the tests slower, never wrong.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from actions.clock import ManualClock
from config.settings import Settings
from jobs.secrets import Redactor
from scheduler.service import Service, open_service
from tests.factories import add_action, add_report
from tests.support.daemon import Daemon, at
from tests.support.processes import command
from tests.support.sinks import SmtpSink, WebhookSink, free_port

pytestmark = pytest.mark.slow
START_BUDGET_S = 2.0


@pytest.fixture
def config(tmp_path: Path, database_url: str, webhook: WebhookSink, smtp: SmtpSink) -> Path:
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "urls:\n"
        f"  - {webhook.url('reminders')}:\n      tag: reminders\n"
        f'  - "{smtp.url()}":\n      tag: coordinators\n'
    )
    path = tmp_path / "ua-scheduler.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        'channels_file = "channels.yaml"\n'
        'reminders = ["30s", "20s", "8s"]\n'
        'poll_interval = "1s"\n'
        'log_format = "json"\n'
        f"http_port = {free_port()}\n"
    )
    return path


@pytest.fixture
def daemon(config: Path, tmp_path: Path) -> Iterator[Daemon]:
    d = Daemon(config, tmp_path / "daemon.log")
    yield d
    d.kill()


def store_as_of(database_url: str, when: datetime) -> Service:
    """The daemon's database, written to by the library with its clock set to ``when``."""
    return open_service(
        Settings(database_url=database_url, timezone="UTC", reminders=["30s", "20s", "8s"]),
        clock=ManualClock(when),
        redactor=Redactor(),
    )


def deliveries(config: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(command(config, "deliveries", "--json"))
    return rows


def test_every_message_arrives_exactly_once_across_a_restart(
    config: Path, database_url: str, daemon: Daemon, webhook: WebhookSink, smtp: SmtpSink
) -> None:
    daemon.start()  # the action comes once the daemon runs: a slow start skips no reminder
    now = datetime.now(UTC)
    service = store_as_of(database_url, now)
    add_action(
        service, ua="61.20", title="Health at risk", deadline=(now + timedelta(seconds=40)).isoformat()
    )
    add_report(service, "61.20", letter=3, country="NL")
    service.engine.dispose()
    daemon.wait(lambda: len(webhook.hooks) >= 1, "the first reminder did not arrive")
    first = webhook.idempotency_keys()[0]
    assert daemon.stop() == 0
    daemon.start()
    tally = daemon.wait_event("delivery.sent", channel="channels.yaml#2")  # the final tally, by mail
    assert tally["key"].startswith("ua-61.20/final-tally/")
    daemon.stop()

    # Nothing is left to send, so nothing can still come twice: compare what arrived with the log.
    rows = deliveries(config)
    assert {row["status"] for row in rows} == {"sent"}
    received = Counter(webhook.idempotency_keys())
    assert set(received.values()) == {1}  # each reminder once...
    assert set(received) == {row["key"] for row in rows if row["kind"] == "reminder"}  # ...every one sent
    assert first in received  # the one before the restart
    assert smtp.subjects() == ["UA 61.20 final tally: 3 actions"]
    assert '"status": "closed"' in command(config, "actions", "show", "61.20", "--json")


def test_a_started_daemon_handles_what_is_due_within_two_seconds(
    database_url: str, daemon: Daemon, webhook: WebhookSink, smtp: SmtpSink
) -> None:
    now = datetime.now(UTC)
    service = store_as_of(database_url, now - timedelta(hours=1))  # planned an hour ago
    add_action(
        service,
        ua="61.20",
        title="T",
        deadline=(now + timedelta(minutes=10)).isoformat(),
        reminders=["20m", "5m"],
    )  # its 20-minute reminder came due while no daemon ran
    add_action(service, ua="62.20", title="Past", deadline=(now - timedelta(minutes=1)).isoformat())
    service.engine.dispose()

    started = at(daemon.start())
    reminded = at(daemon.wait_event("reminder.queued", action="61.20"))
    daemon.wait_event("action.closed", action="62.20")  # after the reminder: it renders a PDF
    daemon.wait(lambda: len(webhook.hooks) >= 1 and len(smtp.messages) >= 1, "nothing arrived")
    daemon.stop()

    handled_after_s = (reminded - started).total_seconds()
    assert handled_after_s < START_BUDGET_S, f"reminded {handled_after_s:.2f} s after daemon.started"
    assert [title.split(":")[0] for title in webhook.titles()] == ["UA 61.20"]
    assert smtp.subjects() == ["UA 62.20 final tally: 0 actions"]


def test_an_action_added_while_running_is_picked_up(
    config: Path, daemon: Daemon, webhook: WebhookSink
) -> None:
    daemon.start()
    # Due in 10 s: were the command slower than that, the reminder would go out at once, as missed.
    deadline = datetime.now(UTC) + timedelta(minutes=4, seconds=10)
    command(
        config,
        "actions",
        "add",
        "--ua",
        "70.20",
        "--title",
        "Added later",
        "--deadline",
        deadline.isoformat(),
        "--reminders",
        "4m",
    )
    daemon.wait(lambda: len(webhook.hooks) >= 1, "the reminder of the added action did not arrive")
    arrived = datetime.now(UTC)
    daemon.stop()
    assert [title.split(":")[0] for title in webhook.titles()] == ["UA 70.20"]
    assert arrived >= deadline - timedelta(minutes=4)  # not before it was due
