"""Schema changes go through Alembic; an old database upgrades without loss."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from actions import counters, store
from actions.models import ActionStatus, FinalTally, SlotStatus
from scheduler.db import create_schema, engine_for
from scheduler.migrate import HEAD, current, downgrade, head, upgrade

ROWS = [
    "INSERT INTO action (id, ua, title, status, deadline, timezone, preferred_languages, tags,"
    " late_reports_welcome, created_at, updated_at) VALUES (1, '61.20', 'Health at risk', 'CLOSED',"
    " '2020-06-03 18:00:00', 'Asia/Bishkek', '[\"Kyrgyz\"]', '[]', true, '2020-05-01 00:00:00',"
    " '2020-06-03 18:00:00')",
    "INSERT INTO target (id, action_id, position, name, emails, phones, faxes, social)"
    " VALUES (1, 1, 0, 'Bolot Otunbaev', '[\"a@example.org\"]', '[]', '[]', '{}')",
    "INSERT INTO report (id, action_id, received_at, late, country, source, letter, email, fax,"
    " call, post, other) VALUES (1, 1, '2020-05-02 10:00:00', false, 'NL', 'cli', 2, 1, 0, 0, 0, 0)",
    "INSERT INTO reminderslot (id, action_id, offset_s, due_at, status, channels_ok, channels_failed)"
    " VALUES (1, 1, 604800, '2020-05-27 18:00:00', 'SENT', 1, 0)",
    "INSERT INTO finaltally (id, action_id, created_at, data, markdown, html, delivery, attempt_at)"
    " VALUES (1, 1, '2020-06-03 18:00:00', '{\"total\": 3}', '# t', '<h1>t</h1>', 'SENT',"
    " '2020-06-03 18:00:00')",
    "INSERT INTO channel (id, name, url, tags, created_at)"
    " VALUES (1, 'hook', 'json://127.0.0.1/', '[\"reminders\"]', '2020-05-01 00:00:00')",
]


@pytest.mark.parametrize("without_version_table", [False, True], ids=["alembic", "created-by-0.1.0"])
def test_a_database_from_the_first_schema_upgrades_without_loss(
    database_url: str, without_version_table: bool
) -> None:
    engine = engine_for(database_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        for row in ROWS:
            connection.execute(text(row))
        if without_version_table:  # 0.1.0 made its tables without Alembic
            connection.execute(text("DROP TABLE alembic_version"))

    before, after = upgrade(engine)

    assert (before, after) == ("0001", head())
    with Session(engine) as session:
        action = store.get_action(session, "61.20")
        assert action.status is ActionStatus.CLOSED
        assert action.deadline == datetime(2020, 6, 3, 18, tzinfo=UTC)
        assert action.preferred_languages == ["Kyrgyz"]
        assert action.subjects in ([], None)
        (target,) = store.targets_of(session, action)
        assert target.emails == ["a@example.org"]
        (slot,) = store.slots_of(session, action)
        assert slot.status is SlotStatus.SENT
        tally = session.get(FinalTally, 1)
        assert tally is not None
        assert (tally.data, tally.markdown, tally.html) == ({"total": 3}, "# t", "<h1>t</h1>")
    engine.dispose()


def test_the_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    engine = engine_for(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        assert current(connection) == head()
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    engine.dispose()


def test_final_tallies_keep_their_archive_without_the_old_delivery_columns(database_url: str) -> None:
    engine = engine_for(database_url)
    upgrade(engine, "0005")
    with engine.begin() as connection:
        for row in ROWS:
            connection.execute(text(row))
        connection.execute(
            text("UPDATE finaltally SET csv = 'kind,count', pdf = :pdf, content_hash = :hash"),
            {"pdf": b"%PDF-1.7", "hash": "ab" * 32},
        )

    upgrade(engine, "0006")

    columns = {c["name"] for c in inspect(engine).get_columns("finaltally")}
    assert columns.isdisjoint({"delivery", "attempt_at", "claimed_at", "delivered_at"})
    with engine.connect() as connection:  # the model has columns of later revisions: plain SQL
        kept = connection.execute(text("SELECT data, csv, pdf, content_hash FROM finaltally")).one()
    assert (json.loads(kept[0]) if isinstance(kept[0], str) else kept[0], *kept[1:]) == (
        {"total": 3},
        "kind,count",
        b"%PDF-1.7",
        "ab" * 32,
    )

    downgrade(engine, "0005")  # and back: the columns return, the tally counts as handed over
    with engine.connect() as connection:
        restored = connection.execute(text("SELECT delivery, markdown FROM finaltally WHERE id = 1")).one()
    assert tuple(restored) == ("SENT", "# t")
    engine.dispose()


def test_the_running_totals_are_backfilled_from_the_reports_already_stored(database_url: str) -> None:
    engine = engine_for(database_url)
    upgrade(engine, "0005")
    ann = "a" * 64
    reports = [  # (late, supporter, letter, email): Ann's two reports merge to 3 letters and 2 emails
        (False, ann, 3, 0),
        (False, ann, 1, 2),
        (False, None, 1, 1),
        (True, None, 0, 4),
    ]
    with engine.begin() as connection:
        connection.execute(text(ROWS[0]))
        for n, (late, supporter, letter, email) in enumerate(reports, start=1):
            connection.execute(
                text(
                    "INSERT INTO report (id, action_id, received_at, late, source, supporter_hash, letter,"
                    " email, fax, call, post, other) VALUES (:id, 1, '2020-05-02 10:00:00', :late, 'cli',"
                    " :supporter, :letter, :email, 0, 0, 0, 0)"
                ),
                {"id": n, "late": late, "supporter": supporter, "letter": letter, "email": email},
            )

    upgrade(engine)

    with Session(engine) as session:
        kept = counters.running(session, 1)
        assert kept.differences(counters.recount(session, 1)) == []
    assert (kept.total, kept.reports, kept.by_kind["letter"], kept.by_kind["email"]) == (7, 2, 4, 3)
    assert (kept.late, kept.late_reports, kept.held) == (4, 1, 0)
    engine.dispose()


def test_head_names_the_newest_migration() -> None:
    """Commands compare the database with ``HEAD`` without reading the scripts: it must be theirs."""
    assert head() == HEAD


def test_a_current_database_is_checked_without_loading_alembic(tmp_path: Path) -> None:
    """Every command checks the schema at its start: when current, that costs one query, not Alembic."""
    database = tmp_path / "current.db"
    upgrade(engine_for(f"sqlite:///{database}"))
    program = (
        "import sys\n"
        "from scheduler.db import create_schema, engine_for\n"
        f"create_schema(engine_for({f'sqlite:///{database}'!r}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_database_behind_head_is_upgraded_at_the_start_of_a_command(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'behind.db'}")
    upgrade(engine, "0010")
    create_schema(engine)
    with engine.connect() as connection:
        assert current(connection) == HEAD
