"""10. Email fan-out: personal reminders through the dispatcher to a local SMTP server, against a bare
``smtplib`` client sending the same messages over one connection."""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import structlog
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from actions.models import Subscription
from config.settings import Settings
from jobs import outbox
from jobs.channels import from_database
from jobs.dispatch import SUBSCRIBER_PREFIX, Dispatcher
from tests.benchmarks.fill import add_actions, new_database, now
from tests.benchmarks.harness import PYTHON, Outcome, Processes, Row, Verdict, processes, wait_until
from tests.support.sinks import free_port

TARGET_RATIO = 0.5
BODY = "Please write to the Minister before the deadline. " * 12
SENDER = "ua-scheduler@example.org"


def _smtp_server(group: Processes, workdir: Path) -> int:
    """aiosmtpd in a process of its own, taking every message and keeping none."""
    port = free_port()
    group.start(
        [str(PYTHON), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        log=workdir / "smtp.log",
    )

    def listening() -> bool:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as client:
                client.noop()
        except OSError:
            return False
        return True

    if not wait_until(listening, timeout_s=30, step_s=0.1):
        raise RuntimeError("the SMTP server did not start: see smtp.log")
    return port


def _bare_message(i: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = f"supporter{i}@example.org"
    message["Subject"] = f"Reminder {i}"
    message.set_content(BODY)
    return message


def _bare(port: int, count: int) -> float:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.send_message(_bare_message(count))  # warm-up, as the dispatcher gets one
    began = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for i in range(count):
            client.send_message(_bare_message(i))
    return time.monotonic() - began


def _enqueue(engine: Engine, action_id: int, supporters: range, at: datetime) -> None:
    with Session(engine) as session:
        for i in supporters:
            outbox.enqueue(
                session,
                key=f"ua-1.00/reminder-3600s/subscriber-{i + 1}",
                kind="personal",
                channel=f"{SUBSCRIBER_PREFIX}{i + 1}",
                title=f"Reminder {i}",
                body=BODY,
                now=at,
                action_id=action_id,
                not_after=at + timedelta(days=3),
            )
        session.commit()


def run(workdir: Path, quick: bool) -> Outcome:
    count = 200 if quick else 2_000
    with processes() as group:
        port = _smtp_server(group, workdir)
        mail_url = f"mailto://127.0.0.1:{port}?from={SENDER}&mode=insecure"
        settings = Settings(mail_url=mail_url)
        outcome = Outcome(
            workload=(
                f"{count:,} personal reminders (outbox rows of kind personal, one per confirmed "
                f"supporter, {len(BODY)}-character body) sent by jobs.dispatch.Dispatcher.run() in this "
                f"process through mail_url (apprise mailto://) to a local aiosmtpd process (SQLite, "
                f"delivery_concurrency {settings.delivery_concurrency}). Baseline: a bare smtplib client "
                "sending the same number of messages over one connection. Each side sends one message first "
                "(not timed): apprise's mail plugin and Markdown load on the first, as in a running daemon."
            )
        )
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        engine = new_database(workdir / "email.db")
        (action_id,) = add_actions(engine, 1, deadline=now() + timedelta(days=3), offsets_s=[3600])
        at = now()
        with engine.begin() as connection:
            connection.execute(
                insert(Subscription.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "id": i + 1,
                        "action_id": action_id,
                        "email": f"supporter{i}@example.org",
                        "token": f"token-{i}",
                        "created_at": at,
                        "confirmed_at": at,
                    }
                    for i in range(count + 1)
                ],
            )
        dispatcher = Dispatcher(engine=engine, settings=settings, owner="bench", channels=from_database)
        # Steady state, as in the daemon: the first message loads apprise's mail plugin and Markdown.
        _enqueue(engine, action_id, range(count, count + 1), at)
        if dispatcher.run(now()).sent != 1:
            raise RuntimeError("the warm-up message was not sent")
        _enqueue(engine, action_id, range(count), at)
        began = time.monotonic()
        result = dispatcher.run(now())
        real_s = time.monotonic() - began
        dispatcher.close()
        engine.dispose()
        if result.sent != count:
            raise RuntimeError(f"sent {result.sent} of {count}: {result}")
        bare_s = _bare(port, count)
    real_rate, bare_rate = count / real_s, count / bare_s
    ratio = real_rate / bare_rate
    outcome.rows += [
        Row("emails per second", real_rate, "msg/s", bare_rate, "bare smtplib, one connection"),
        Row("time for all", real_s, "s", bare_s, "bare smtplib, one connection"),
    ]
    outcome.verdicts.append(
        Verdict("email_fanout_ratio", ratio, "x", f">={TARGET_RATIO:g}", ratio >= TARGET_RATIO)
    )
    return outcome
