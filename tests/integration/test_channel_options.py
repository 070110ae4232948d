"""Channels in their own language, zone, quiet hours and digests: a manual clock and a real webhook sink."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select
from structlog.testing import capture_logs

from actions.clock import ManualClock
from actions.models import Channel, Delivery
from jobs.due import PassResult, decide_digests, next_due, run_pass
from jobs.timetable import timetable
from scheduler.service import Service
from tests.factories import add_action
from tests.support.cli import Run
from tests.support.sinks import WebhookSink

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def add_channel(service: Service, name: str, url: str, *tags: str, **options: str) -> None:
    with Session(service.engine) as session:
        row = Channel(name=name, url=url, tags=list(tags), created_at=service.clock.now())
        for field, value in options.items():
            setattr(row, field, value)
        session.add(row)
        session.commit()


def bodies(webhook: WebhookSink, path: str) -> list[str]:
    return [str(h.body.get("message", "")) for h in webhook.hooks if h.path == f"/{path}"]


# ------------------------------------------------------------------------------------------- languages


def test_a_german_channel_gets_german_text_with_german_dates(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "berlin", webhook.url("de"), "reminders", language="de")
    add_channel(service, "london", webhook.url("en"), "reminders")
    add_action(service, deadline="2026-05-09", timezone="Europe/Berlin", reminders=["3d"])
    clock.set(berlin(2026, 5, 7, 0, 0))

    assert run_pass(service.work(), clock.now()).reminded == ["61.20"]

    [german] = bodies(webhook, "de")
    [title] = [str(h.body["title"]) for h in webhook.hooks if h.path == "/de"]
    assert title == "UA 61.20: noch 3 Tage zum Handeln: Health of prisoner of conscience at risk"
    assert "Noch 3 Tage. Frist: Samstag, 9. Mai 2026, Ende des Tages (Europe/Berlin)." in german
    ways = "E-Mail, Fax, Anruf, Beitrag in sozialen Medien und auf andere Weise"
    assert f"Wege, die noch rechtzeitig ankommen: {ways}." in german
    assert "Sagen Sie uns, was Sie getan haben: http://127.0.0.1:8080/ua/61.20/report" in german
    assert "Bisher gemeldet: 0 Aktionen." in german
    assert "Dear Ambassador" not in german  # the English salutation is not offered in German
    [english] = bodies(webhook, "en")
    assert "Deadline: Saturday 9 May 2026, end of day (Europe/Berlin)." in english
    assert "social media post" in english
    assert "Salutation: Dear Ambassador" in english


def test_every_message_names_the_kinds_in_words_never_by_code(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    for code in ("en", "de", "fr", "es", "ru"):
        add_channel(service, code, webhook.url(code), "reminders", language=code)
    add_action(service, deadline="2026-05-20", reminders=["10d"])
    clock.set(datetime(2026, 5, 11, 0, 0, tzinfo=UTC))
    run_pass(service.work(), clock.now())
    assert len(webhook.hooks) == 5
    for hook in webhook.hooks:
        ways = next(line for line in str(hook.body["message"]).splitlines() if ":" in line and "," in line)
        named = re.split(r":\s*", ways, maxsplit=1)[1]
        assert not re.search(r"\b(post|other|call|letter)\b", named), (hook.path, named)


def test_a_channel_in_a_language_without_templates_gets_english_and_the_log_says_so(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "milano", webhook.url("it"), "reminders", language="it")
    add_action(service, deadline="2026-05-09", reminders=["3d"])
    clock.set(datetime(2026, 5, 7, 0, 0, tzinfo=UTC))
    with capture_logs() as logs:
        run_pass(service.work(), clock.now())
    assert webhook.titles()[0].startswith("UA 61.20: 3 days left to act")
    assert {
        "event": "i18n.fallback_to_english",
        "language": "it",
        "channel": "milano",
        "log_level": "warning",
    } in logs


# ------------------------------------------------------------------------------------------ quiet hours


def test_a_reminder_due_at_23_in_a_22_to_08_channel_arrives_at_21_59_local_time(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(
        service,
        "night",
        webhook.url("quiet"),
        "reminders",
        quiet_hours="22:00-08:00",
        timezone="Europe/Berlin",
    )
    add_channel(service, "day", webhook.url("loud"), "reminders")
    deadline = berlin(2026, 5, 9, 23, 0)
    add_action(service, deadline=deadline.isoformat(), reminders=["1d"])  # due 8 May 23:00 Berlin
    work = service.work()

    clock.set(berlin(2026, 5, 8, 21, 58))
    run_pass(work, clock.now())  # prepared ahead: each channel's row waits for its own time
    assert webhook.hooks == []
    assert next_due(service.engine, clock.now(), work=work) == berlin(2026, 5, 8, 21, 59)

    clock.set(berlin(2026, 5, 8, 21, 59))
    run_pass(work, clock.now())
    assert [h.path for h in webhook.hooks] == ["/quiet"]
    assert webhook.hooks[0].body["title"].startswith("UA 61.20: 1 day and 1 hour left")

    assert next_due(service.engine, clock.now(), work=work) == berlin(2026, 5, 8, 23, 0)
    clock.set(berlin(2026, 5, 8, 23, 0))
    run_pass(work, clock.now())
    assert [h.path for h in webhook.hooks] == ["/quiet", "/loud"]  # the other channel at the due time
    assert webhook.hooks[1].body["title"].startswith("UA 61.20: 1 day left")
    run_pass(work, clock.now())
    assert len(webhook.hooks) == 2  # each once


def test_a_reminder_decided_after_the_quiet_window_began_goes_at_once(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(
        service,
        "night",
        webhook.url("quiet"),
        "reminders",
        quiet_hours="22:00-08:00",
        timezone="Europe/Berlin",
    )
    clock.set(berlin(2026, 5, 8, 22, 30))  # the action arrives inside the quiet window
    add_action(service, deadline=berlin(2026, 5, 9, 23, 0).isoformat(), reminders=["1d"])
    run_pass(service.work(), clock.now())
    assert [h.path for h in webhook.hooks] == ["/quiet"]


def test_plan_shows_the_moved_time_and_every_time_in_a_local_zone(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    service = make_service()
    add_channel(
        service,
        "night",
        "json://127.0.0.1:9/n",
        "reminders",
        quiet_hours="22:00-08:00",
        timezone="Europe/Berlin",
    )
    add_channel(service, "day", "json://127.0.0.1:9/d", "reminders")
    add_channel(
        service,
        "weekly",
        "json://127.0.0.1:9/w",
        "reminders",
        digest="weekly@mon 09:00",
        timezone="Europe/Berlin",
    )
    add_action(
        service, deadline=berlin(2026, 5, 9, 23, 0).isoformat(), timezone="Asia/Bishkek", reminders=["1d"]
    )
    with Session(service.engine) as session:
        rows = timetable(session, service.settings, service.channels(session), clock.now())
    digest, moved, due, close = sorted(rows, key=lambda r: r["at"])
    assert moved["at"] == "2026-05-08T19:59:00Z"
    assert moved["local"] == "2026-05-08 21:59 (Europe/Berlin)"
    assert moved["moved_from"] == "2026-05-08T21:00:00Z"
    assert moved["channels"] == ["night"]
    assert due["at"] == "2026-05-08T21:00:00Z"
    assert due["local"] == "2026-05-09 03:00 (Asia/Bishkek)"  # the action's zone
    assert due["channels"] == ["day"]  # not the digest channel
    assert close["what"] == "close and final tally"
    assert digest["what"] == "digest"
    assert digest["local"] == "2026-05-04 09:00 (Europe/Berlin)"


# --------------------------------------------------------------------------------------------- digests


def test_a_digest_channel_gets_one_message_per_period_listing_what_is_due_and_nothing_else(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    clock.set(berlin(2026, 5, 1, 8, 0))
    add_channel(
        service,
        "daily",
        webhook.url("digest"),
        "reminders",
        digest="daily@09:00",
        timezone="Europe/Berlin",
        language="de",
    )
    add_channel(service, "each", webhook.url("each"), "reminders")
    add_action(
        service, ua="10.26", title="Soon", deadline=berlin(2026, 5, 2, 12, 0).isoformat(), reminders=["1h"]
    )
    add_action(
        service, ua="11.26", title="Later", deadline=berlin(2026, 5, 20, 12, 0).isoformat(), reminders=["1h"]
    )
    work = service.work()

    assert next_due(service.engine, clock.now(), work=work) == berlin(2026, 5, 1, 9, 0)
    clock.set(berlin(2026, 5, 1, 9, 0))
    assert run_pass(work, clock.now()).digests == ["daily"]
    assert run_pass(work, clock.now()).digests == []
    [digest] = bodies(webhook, "digest")
    assert "UA 10.26: Soon" in digest  # due before tomorrow's digest plus a day
    assert "UA 11.26" not in digest
    assert "Noch 1 Tag und 3 Stunden" in digest
    assert "Bolot Otunbaev, Ambassador" in digest
    assert "http://127.0.0.1:8080/ua/10.26/report" in digest

    clock.set(berlin(2026, 5, 2, 11, 0))  # the first pass since 2 May 09:00: that digest goes now
    assert run_pass(work, clock.now()).digests == ["daily"]
    assert len(bodies(webhook, "each")) == 1  # 10.26's 1h reminder goes one by one to "each" only
    clock.set(berlin(2026, 5, 2, 12, 0))
    run_pass(work, clock.now())  # 10.26 closes
    assert len(bodies(webhook, "digest")) == 2
    clock.set(berlin(2026, 5, 3, 9, 0))
    assert run_pass(work, clock.now()).digests == []  # nothing due before 5 May 09:00: no message
    assert len(bodies(webhook, "digest")) == 2
    with Session(service.engine) as session:
        keys = session.exec(select(Delivery.key).where(Delivery.kind == "digest")).all()
    assert sorted(keys) == ["digest/daily/2026-05-01", "digest/daily/2026-05-02"]


def test_a_digest_queued_before_a_crash_is_sent_once_after_the_restart(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    clock.set(datetime(2026, 5, 1, 8, 0, tzinfo=UTC))
    add_channel(service, "daily", webhook.url("digest"), "reminders", digest="daily@09:00")
    add_action(service, deadline=datetime(2026, 5, 2, 12, 0, tzinfo=UTC).isoformat(), reminders=["1h"])
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    decide_digests(service.work(), clock.now(), PassResult())  # written to the outbox, then the crash
    service.close()
    service.engine.dispose()
    assert webhook.hooks == []

    restarted = make_service()
    clock.set(datetime(2026, 5, 1, 9, 5, tzinfo=UTC))
    assert run_pass(restarted.work(), clock.now()).digests == []
    assert len(bodies(webhook, "digest")) == 1
    again = make_service()
    run_pass(again.work(), clock.now())
    assert len(bodies(webhook, "digest")) == 1
    with Session(again.engine) as session:
        keys = session.exec(select(Delivery.key).where(Delivery.kind == "digest")).all()
    assert keys == ["digest/daily/2026-05-01"]


# ------------------------------------------------------------------------------------ CLI, file, API


def test_channel_options_through_the_cli_and_bad_values_as_one_line_naming_the_field(run: Run) -> None:
    added = run(
        "channels",
        "add",
        "berlin",
        "json://127.0.0.1:9/x",
        "--tag",
        "reminders",
        "--digest",
        "weekly@mon 09:00",
        "--quiet-hours",
        "22:00-08:00",
        "--language",
        "de",
        "--timezone",
        "Europe/Berlin",
    )
    assert added.code == 0, added.err
    [listed] = run("channels", "list", "--json").json()
    assert {k: listed[k] for k in ("digest", "quiet_hours", "language", "timezone")} == {
        "digest": "weekly@mon 09:00",
        "quiet_hours": "22:00-08:00",
        "language": "de",
        "timezone": "Europe/Berlin",
    }
    for flag, value, field in (
        ("--digest", "monthly@1 09:00", "digest"),
        ("--quiet-hours", "late", "quiet_hours"),
        ("--language", "xx-nope", "language"),
        ("--timezone", "Mars/Base", "timezone"),
    ):
        bad = run("channels", "add", "other", "json://127.0.0.1:9/y", flag, value)
        assert bad.code == 1
        assert len(bad.err.strip().splitlines()) == 1
        assert bad.err.startswith(f"ua-scheduler: error: {field}: ")
    assert [c["name"] for c in run("channels", "list", "--json").json()] == ["berlin"]


def test_channel_options_beside_tag_in_the_channels_file(run: Run, tmp_path: Path, monkeypatch: Any) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "urls:\n"
        "  - json://127.0.0.1:9/a:\n"
        "      tag: reminders\n"
        "      digest: daily@08:30\n"
        "      language: fr\n"
        "      timezone: Europe/Paris\n"
        "  - json://127.0.0.1:9/b:\n"
        "      tag: reminders\n"
        "      quiet_hours: 21:00-07:00\n"
    )
    monkeypatch.setenv("UA_SCHEDULER_CHANNELS_FILE", str(channels))
    first, second = run("channels", "list", "--json").json()
    assert (first["digest"], first["language"], first["timezone"], first["tags"]) == (
        "daily@08:30",
        "fr",
        "Europe/Paris",
        ["reminders"],
    )
    assert (second["quiet_hours"], second["digest"]) == ("21:00-07:00", None)

    channels.write_text("urls:\n  - json://127.0.0.1:9/a:\n      tag: reminders\n      quiet_hours: soon\n")
    bad = run("channels", "list", "--json")
    assert bad.code == 1
    assert "quiet_hours" in bad.err
    assert len(bad.err.strip().splitlines()) == 1
