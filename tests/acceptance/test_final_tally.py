"""The final tally stays final: late reports go to an addendum; a reopened action keeps its history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import command

pytestmark = pytest.mark.slow


def tally_json(config: Path, *args: str) -> Any:
    return json.loads(command(config, "tally", "61.20", "--format", "json", *args))


def test_a_closed_action_serves_its_archived_tally_with_late_reports_apart(
    tmp_path: Path, database_url: str
) -> None:
    config = tmp_path / "ua-scheduler.toml"
    config.write_text(f'database_url = "{database_url}"\n')
    deadline = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
    command(config, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", deadline)
    command(config, "reports", "add", "61.20", "--letters", "3", "--country", "NL")
    command(config, "actions", "close", "61.20")  # a year early: the action ends now

    before = tally_json(config)
    assert before["total"] == 3
    assert before["provisional"] is False
    assert before["revision"] == 1
    assert (before["late"], before["late_reports"]) == (0, 0)

    added = command(config, "reports", "add", "61.20", "--letters", "1", "--country", "DE")
    assert "late" in added
    after = tally_json(config)
    assert after["content_hash"] == before["content_hash"]
    assert after["counted_at"] == before["counted_at"]
    assert (after["total"], after["by_kind"], after["by_country"]) == (3, before["by_kind"], {"NL": 3})
    assert after["late"] == 1
    assert after["late_by_kind"]["letter"] == 1
    assert after["late_by_country"] == {"DE": 1}
    text = command(config, "tally", "61.20")
    assert "Received after the close: 1 action in 1 report" in text
    assert "**Total actions: 3**" in text
    assert after["content_hash"] in text
    assert "61.20,summary,total,3" in command(config, "tally", "61.20", "--format", "csv")

    later = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
    command(config, "actions", "extend", "61.20", "--deadline", later)
    shown = json.loads(command(config, "actions", "show", "61.20", "--json"))
    assert shown["status"] == "open"
    assert "reopened" in [e["event"] for e in shown["history"]]
    reopened = tally_json(config)
    assert reopened["provisional"] is True
    assert reopened["total"] == 4  # the report received while closed counts toward the next close
    command(config, "actions", "close", "61.20")

    history = json.loads(command(config, "tally", "61.20", "--history", "--format", "json"))
    assert [(h["revision"], h["total"], h["superseded"]) for h in history] == [(1, 3, True), (2, 4, False)]
    assert history[0]["content_hash"] == before["content_hash"]
    listed = command(config, "tally", "61.20", "--history")
    assert "superseded" in listed.splitlines()[0]
    assert "current" in listed.splitlines()[1]
    first = tally_json(config, "--revision", "1")
    assert (first["total"], first["content_hash"], first["revision"]) == (3, before["content_hash"], 1)
    assert first["superseded_at"] is not None
    assert "SUPERSEDED" in command(config, "tally", "61.20", "--revision", "1")
    assert tally_json(config)["content_hash"] == history[1]["content_hash"]
