"""The CLI contract: commands, flags, JSON fields, exit codes and one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def test_add_show_and_list_an_action(run: Any) -> None:
    added = run(
        "actions",
        "add",
        "--ua",
        "UA 61/20",
        "--title",
        "Health at risk",
        "--deadline",
        "2099-06-03",
        "--timezone",
        "Asia/Bishkek",
        "--reminders",
        "7d,3d,5s",
        "--tag",
        "asia",
    )
    assert added.code == 0, added.err

    shown = run("actions", "show", "61.20", "--json").json()
    assert shown["ua"] == "61.20"
    assert shown["status"] == "open"
    assert shown["deadline"] == "2099-06-03T18:00:00Z"
    assert shown["timezone"] == "Asia/Bishkek"
    assert shown["tags"] == ["asia"]
    assert shown["targets"] == []
    assert [(r["offset"], r["due"], r["sent"]) for r in shown["reminders"]] == [
        ("7d", "2099-05-27T18:00:00Z", False),
        ("3d", "2099-05-31T18:00:00Z", False),
        ("5s", "2099-06-03T17:59:55Z", False),
    ]
    listed = run("actions", "list", "--json").json()
    assert [a["ua"] for a in listed] == ["61.20"]
    assert run("actions", "list", "--status", "closed", "--json").json() == []


def test_errors_are_one_line_on_stderr_with_a_non_zero_exit(run: Any) -> None:
    bad_date = run("actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2099-13-03")
    assert bad_date.code == 1
    assert bad_date.err.strip() == "ua-scheduler: error: deadline: '2099-13-03' is not a real date"
    assert (
        run("actions", "show", "61.20")
        .err.strip()
        .endswith("no action UA 61.20: see `ua-scheduler actions list --status all`")
    )
    bad_offset = run(
        "actions",
        "add",
        "--ua",
        "61.20",
        "--title",
        "T",
        "--deadline",
        "2099-01-01",
        "--reminders",
        "3x",
    )
    assert bad_offset.code == 1
    assert "reminders" in bad_offset.err
    assert "'3x' is not a duration" in bad_offset.err
    assert run("actions", "list", "--json").json() == []  # nothing half-written
    assert run("actions", "frobnicate").code == 2


def test_lifecycle_commands_follow_the_state_machine(run: Any) -> None:
    run("actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2099-06-03")
    extended = run("actions", "extend", "61.20", "--deadline", "2099-06-10")
    assert extended.code == 0
    assert run("actions", "show", "61.20", "--json").json()["deadline"] == "2099-06-11T00:00:00Z"
    assert run("actions", "extend", "61.20", "--deadline", "2099-06-01").code == 1
    assert run("actions", "cancel", "61.20").code == 0
    closing = run("actions", "close", "61.20")
    assert closing.code == 1
    assert "cannot close UA 61.20: it is cancelled" in closing.err
    history = run("actions", "show", "61.20", "--json").json()["history"]
    assert [h["event"] for h in history] == ["created", "extended", "cancelled"]


def test_reports_and_tally(run: Any, tmp_path: Path) -> None:
    run("actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2099-06-03")
    assert run("reports", "add", "61.20", "--letters", "2", "--emails", "1", "--country", "nl").code == 0
    assert run("reports", "add", "61.20", "--calls", "3").code == 0
    assert run("reports", "add", "61.20", "--letters", "-1").code == 1
    assert run("reports", "add", "61.20", "--letters", "1", "--country", "Netherlands").code == 1

    data = run("tally", "61.20", "--format", "json").json()
    assert data["ua"] == "61.20"
    assert data["status"] == "open"
    assert data["provisional"] is True
    assert data["total"] == 6
    assert data["late"] == 0
    assert data["by_kind"] == {"letter": 2, "email": 1, "fax": 0, "call": 3, "post": 0, "other": 0}
    assert data["by_country"] == {"NL": 3, "unknown": 3}

    out = tmp_path / "tally.csv"
    assert run("tally", "61.20", "--format", "csv", "--output", str(out)).code == 0
    assert "61.20,summary,total,6" in out.read_text()
    assert "Total actions: 6" in run("tally", "61.20").out


def test_channels_are_listed_masked_and_secrets_never_printed(run: Any) -> None:
    url = "json://user:hunter2pw@127.0.0.1:9/hook?+X-Token=tok-abc-123&:apikey=payload77&-drop=gone1"
    assert run("channels", "add", "hook", url, "--tag", "reminders").code == 0
    listed = run("channels", "list", "--json")
    (item,) = listed.json()
    assert item["name"] == "hook"
    assert item["tags"] == ["reminders"]
    for secret in ("hunter2pw", "tok-abc-123", "payload77", "gone1"):
        assert secret not in listed.out
    tested = run("channels", "test", "hook")  # port 9 refuses: the failure must not leak either
    assert tested.code == 1
    for secret in ("hunter2pw", "tok-abc-123", "payload77", "gone1"):
        assert secret not in tested.err
    assert run("channels", "add", "hook", url).code == 1  # duplicate name
    bad = run("channels", "add", "bad", "nosuchscheme://admin:sekrit99@example.org")
    assert bad.code == 1
    assert "sekrit99" not in bad.err
    assert run("channels", "remove", "hook").code == 0
    assert run("channels", "list", "--json").json() == []


def test_plan_shows_what_goes_when_and_where(run: Any) -> None:
    run("channels", "add", "hook", "json://127.0.0.1:9/", "--tag", "reminders")
    run(
        "channels",
        "add",
        "mail",
        "mailto://127.0.0.1:9?from=u@example.org&to=c@example.org",
        "--tag",
        "coordinators",
    )
    run(
        "actions",
        "add",
        "--ua",
        "61.20",
        "--title",
        "T",
        "--deadline",
        "2099-06-03",
        "--reminders",
        "1d",
    )
    entries = run("plan", "--json").json()
    assert entries == [
        {
            "at": "2099-06-03T00:00:00Z",
            "local": "2099-06-03 00:00 (UTC)",
            "ua": "61.20",
            "what": "reminder 1d before deadline",
            "tags": ["reminders"],
            "channels": ["hook"],
        },
        {
            "at": "2099-06-04T00:00:00Z",
            "local": "2099-06-04 00:00 (UTC)",
            "ua": "61.20",
            "what": "close and final tally",
            "tags": ["coordinators"],
            "channels": ["mail"],
        },
    ]


def test_import_structured_files_is_all_or_nothing_per_file(run: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        'ua = "44.19"\ntitle = "Release the activists"\ndeadline = 2099-05-02\n'
        'timezone = "Europe/Amsterdam"\n\n[[targets]]\nname = "Minister Jane Example"\n'
        'salutation = "Dear Minister"\nemails = ["minister@example.org"]\n'
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text('ua: "45.19"\ntitle: T\ndeadline: 2099-05-02\ntargets:\n  - name: X\n    fax: "123"\n')
    result = run("actions", "import", str(good), str(bad), "--json")
    assert result.code == 1
    first, second = result.json()["results"]
    assert first["ok"] is True
    assert first["ua"] == "44.19"
    assert second["ok"] is False
    assert second["error"].startswith(f"{bad}:6: targets.0.fax: unknown field")
    assert [a["ua"] for a in run("actions", "list", "--json").json()] == ["44.19"]
    shown = run("actions", "show", "44.19", "--json").json()
    assert shown["deadline"] == "2099-05-02T22:00:00Z"
    assert shown["targets"][0]["salutation"] == "Dear Minister"

    again = run("actions", "import", str(good), "--json").json()["results"][0]
    assert again["changes"] == {}  # re-importing the same file changes nothing
    assert again["created"] is False
    dry = run("actions", "import", "--dry-run", str(good).replace("good", "good"), "--json")
    assert dry.json()["dry_run"] is True


def test_unknown_environment_settings_are_ignored_but_bad_ones_stop(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_SOMETHING_NEW", "1")
    assert run("actions", "list").code == 0
    monkeypatch.setenv("UA_SCHEDULER_TIMEZONE", "Mars/Olympus")
    failed = run("actions", "list")
    assert failed.code == 1
    assert "'timezone' (environment variable UA_SCHEDULER_TIMEZONE)" in failed.err


def test_db_upgrade_brings_the_schema_to_the_newest_revision(run: Any) -> None:
    from scheduler.migrate import head

    result = run("db", "upgrade")
    assert result.code == 0, result.err
    assert result.out.strip().startswith(f"database at revision {head()}")
    assert run("db", "upgrade").out.strip() == f"database at revision {head()}"


def test_tally_as_pdf_and_as_letters_from_the_cli(run: Any, tmp_path: Path) -> None:
    run(
        "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2099-06-03", "--language", "Russian"
    )
    run("reports", "add", "61.20", "--letters", "5")
    pdf = tmp_path / "tally.pdf"
    assert run("tally", "61.20", "--format", "pdf", "--output", str(pdf)).code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    letters = run("tally", "61.20", "--format", "letter")
    assert letters.code == 0
    assert "5 действий" in letters.out  # the preferred language, Russian plural forms
    assert "5 actions" in run("tally", "61.20", "--format", "letter", "--language", "en").out
    unknown = run("tally", "61.20", "--format", "letter", "--language", "tlh")
    assert unknown.code == 1
    assert "language: no letter template for 'tlh'" in unknown.err
