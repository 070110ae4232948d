"""Schema changes through Alembic: ``ua-scheduler db upgrade``, also run at start when needed."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from scheduler.leadership import SCHEMA_LOCK

log = structlog.get_logger("ua_scheduler.migrate")

MIGRATE_LOCK_KEY = 0x55_41_4D_49  # "UAMI"
BASELINE = "0001"
"""The schema of 0.1.0, which created its tables without Alembic: such a database is stamped so."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("scheduler") / "migrations"))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision``; return (from, to)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Instances starting together take turns: the first upgrades, the others find it done.
            lock = text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            connection.execute(lock, {"key": MIGRATE_LOCK_KEY})
        before = current(connection)
        if before is None and inspect(connection).has_table("action"):
            command.stamp(_config(connection), BASELINE)
            before = BASELINE
        command.upgrade(_config(connection), revision)
        after = current(connection)
    assert after is not None
    if before != after:
        log.info("db.upgraded", from_revision=before, to_revision=after)
    return before, after


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (a release rolled back)."""
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def ensure_current(engine: Engine) -> None:
    """Upgrade when behind; cheap when already at head (one query, no migration scripts run)."""
    with engine.connect() as connection:
        if current(connection) == head():
            return
    upgrade(engine)
