"""The CLI's boundary: one error mapping, the hidden --now clock, and commands that load only what
they use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from actions.models import OutboxStatus
from scheduler import cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fastapi", "uvicorn", "weasyprint", "pypdf", "apscheduler", "scheduler.daemon", "scheduler.http")


def test_an_expected_error_is_one_line_on_stderr_and_status_1(run: Any) -> None:
    missing = run("actions", "show", "99.99")
    assert missing.code == 1
    assert missing.err.splitlines() == [
        "ua-scheduler: error: no action UA 99.99: see `ua-scheduler actions list --status all`"
    ]
    assert "Traceback" not in missing.err


def test_a_conflict_and_an_invalid_value_map_to_status_1_and_a_usage_error_to_2(run: Any) -> None:
    assert run("actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2030-06-03").code == 0
    again = run("actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2030-06-03")
    assert (again.code, again.err.count("\n")) == (1, 1)
    assert "already exists" in again.err
    far = run("actions", "add", "--ua", "62.20", "--title", "T", "--deadline", "9999-12-31")
    assert (far.code, far.err.count("\n")) == (1, 1)
    assert far.err.startswith("ua-scheduler: error: deadline: ")
    assert run("actions", "add", "--ua", "62.20").code == 2


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_debug_log(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk fell off")

    monkeypatch.setattr("scheduler.app.actions.listed", broken)
    quiet = run("actions", "list")
    assert quiet.code == 1
    assert quiet.err.splitlines() == [
        'ua-scheduler: error: unexpected RuntimeError: the disk fell off (set log_level = "debug" '
        "for the traceback)"
    ]
    monkeypatch.setenv("UA_SCHEDULER_LOG_LEVEL", "debug")
    loud = run("actions", "list")
    assert loud.code == 1
    logged = [json.loads(line) for line in loud.err.splitlines() if line.startswith("{")]
    failed = [entry for entry in logged if entry["event"] == "cli.failed"]
    assert failed
    assert failed[0]["level"] == "debug"
    assert "the disk fell off" in json.dumps(failed[0]["exception"])
    assert loud.err.splitlines()[-1].startswith("ua-scheduler: error: unexpected RuntimeError")


def test_the_hidden_now_option_is_the_commands_clock(run: Any) -> None:
    at = "2030-01-01T12:00:00+00:00"
    assert (
        run("--now", at, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2030-01-02").code
        == 0
    )
    shown = run("actions", "show", "61.20", "--json").json()
    assert shown["created_at"] == "2030-01-01T12:00:00Z"
    assert run("--now", "2030-01-03T00:00:00Z", "reports", "add", "61.20", "--letters", "1").out.endswith(
        "(late: counted apart from the total)\n"
    )
    assert "--now" not in run("--help").out
    assert run("--now", "yesterday", "actions", "list").code == 2


def test_the_delivery_statuses_offered_are_the_outboxs() -> None:
    assert tuple(status.value for status in OutboxStatus) == cli.DELIVERY_STATUSES


def _loaded_by(*argv: str, database_url: str) -> list[str]:
    """The heavy modules a command has loaded when it ends, run in a fresh interpreter."""
    script = (
        "import sys\n"
        "from scheduler.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "UA_SCHEDULER_DATABASE_URL": database_url},
    )
    last = done.stderr.strip().splitlines()[-1]
    return [m for m in last.removeprefix("loaded:").split(",") if m]


def test_help_and_listing_load_no_web_daemon_or_pdf_stack(database_url: str) -> None:
    assert _loaded_by("--help", database_url=database_url) == []
    assert _loaded_by("actions", "list", database_url=database_url) == []
