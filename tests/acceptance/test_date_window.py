"""Dates outside a sane window are refused everywhere; extreme stored dates break no page or report."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import Session

from actions.models import Action, ReminderSlot
from scheduler.db import engine_for
from tests.support.daemon import daemon_config, running_daemon
from tests.support.processes import EXE, command

FAR = "9999-12-31T23:59:59Z"
EARLY_WEST = "0001-01-01T01:00:00Z"


def _ua(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "--config", str(config), *args], capture_output=True, text=True, check=False, timeout=60
    )


def _refused_in_one_line(done: subprocess.CompletedProcess[str], field: str = "deadline") -> str:
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"{field}: " in lines[0]
    assert "outside the dates accepted" in lines[0]
    return lines[0]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return daemon_config(tmp_path, f"sqlite:///{tmp_path}/ua.db")


@pytest.mark.parametrize(
    ("deadline", "zone"),
    [("9999-12-31", "UTC"), (FAR, "UTC"), (EARLY_WEST, "America/New_York"), ("1989-12-31", "UTC")],
)
def test_actions_add_refuses_a_deadline_outside_the_window_in_one_line(
    config: Path, deadline: str, zone: str
) -> None:
    done = _ua(
        config, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", deadline, "--timezone", zone
    )
    _refused_in_one_line(done)
    assert command(config, "actions", "list", "--status", "all", "--json").strip() == "[]"


def test_extension_and_import_refuse_dates_outside_the_window(config: Path, tmp_path: Path) -> None:
    soon = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    command(config, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", soon)
    _refused_in_one_line(_ua(config, "actions", "extend", "61.20", "--deadline", "9999-12-31"))

    action_file = tmp_path / "far.toml"
    action_file.write_text('ua = "62.20"\ntitle = "Far"\ndeadline = 9999-12-31\n')
    done = _ua(config, "actions", "import", str(action_file))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "deadline: 9999-12-31 is outside the dates accepted" in done.stderr
    shown = command(config, "actions", "show", "61.20", "--json")
    assert f'"deadline": "{soon}' in shown or soon in shown


def test_the_window_follows_its_settings(tmp_path: Path) -> None:
    later = datetime.now(UTC).date().replace(year=datetime.now(UTC).year + 15).isoformat()
    narrow = daemon_config(tmp_path, f"sqlite:///{tmp_path}/ua.db", "dates_years_ahead = 20\n")
    command(narrow, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", later)
    (tmp_path / "ua-scheduler.toml").write_text(
        narrow.read_text().replace("dates_years_ahead = 20", "dates_not_before = 2000-01-01")
    )
    done = _ua(narrow, "actions", "add", "--ua", "62.20", "--title", "T", "--deadline", "1999-06-01")
    assert "1999-06-01 is outside the dates accepted, 2000-01-01 to" in _refused_in_one_line(done)


def test_the_api_answers_422_naming_the_field_and_stored_extremes_break_no_page(
    tmp_path: Path, database_url: str
) -> None:
    config = daemon_config(tmp_path, database_url)
    token = command(config, "tokens", "create", "alice").strip()
    soon = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    for ua, zone in (("61.20", "America/Los_Angeles"), ("62.20", "Asia/Tokyo")):
        command(config, "actions", "add", "--ua", ua, "--title", "T", "--deadline", soon, "--timezone", zone)
    staff = {"Authorization": f"Bearer {token}"}
    with running_daemon(config) as daemon:
        base = daemon.base
        for deadline in (FAR, "9999-12-31", "0001-01-01T01:00:00-05:00"):
            made = httpx.post(
                f"{base}/api/v1/actions",
                json={"ua": "63.20", "title": "T", "deadline": deadline},
                headers=staff,
            )
            assert made.status_code == 422, made.text
            assert made.json()["error"]["field"] == "deadline"
            moved = httpx.post(
                f"{base}/api/v1/actions/61.20/extend", json={"deadline": deadline}, headers=staff
            )
            assert moved.status_code == 422, moved.text
            assert moved.json()["error"]["field"] == "deadline"

        # Written straight into the database, as no door of the service accepts them.
        engine = engine_for(database_url)
        with Session(engine) as session:
            early = datetime(1, 1, 1, 1, tzinfo=UTC)
            late = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
            session.execute(update(Action).where(Action.ua == "61.20").values(deadline=early))  # type: ignore[arg-type]
            session.execute(update(Action).where(Action.ua == "62.20").values(deadline=late))  # type: ignore[arg-type]
            session.execute(update(ReminderSlot).values(due_at=late - timedelta(days=1)))
            session.commit()
        engine.dispose()

        pages = ["/calendar.ics", "/ua/61.20", "/ua/62.20", "/ua/61.20/report", "/ua/62.20/report"]
        for ua in ("61.20", "62.20"):
            pages += [f"/api/v1/actions/{ua}", f"/api/v1/actions/{ua}/tally"]
            pages += [f"/api/v1/actions/{ua}/tally?format={fmt}" for fmt in ("html", "md", "csv", "letter")]
        for page in pages:
            answer = httpx.get(f"{base}{page}", headers=staff, timeout=60)
            assert answer.status_code == 200, f"{page}: {answer.status_code} {answer.text[:300]}"
        assert "UA 62.20 deadline" in httpx.get(f"{base}/calendar.ics").text

        with httpx.Client(base_url=base) as browser:
            form = browser.get("/login").text
            csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
            browser.post("/login", data={"token": token, "csrf_token": csrf})
            assert browser.get("/dashboard").status_code == 200
    assert "Traceback" not in daemon.logs()
