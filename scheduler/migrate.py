"""Schema changes through Alembic: ``ua-scheduler db upgrade``, also run at start when needed.

Every command checks the schema at its start; when it is current (nearly always) that check is one
query, compared with :data:`HEAD`, and Alembic is not loaded at all.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

from scheduler.leadership import SCHEMA_LOCK

log = structlog.get_logger("ua_scheduler.migrate")

MIGRATE_LOCK_KEY = 0x55_41_4D_49  # "UAMI"
BASELINE = "0001"
"""The schema of 0.1.0, which created its tables without Alembic: such a database is stamped so."""
HEAD = "0011"
"""The newest revision in ``migrations/versions`` (a test keeps it equal to Alembic's :func:`head`)."""
VERSION_TABLE = "alembic_version"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # noqa: PLC0415  (loaded only when the schema changes)

    config = Config()
    config.set_main_option("script_location", str(files("scheduler") / "migrations"))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """Alembic's head, read from the migration scripts."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    return MigrationContext.configure(connection).get_current_revision()


def _stamped(engine: Engine) -> str | None:
    """The revision stamped in the database (``alembic_version``); None before the first upgrade."""
    with engine.connect() as connection:
        try:
            return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()  # noqa: S608
        except DBAPIError:  # no such table yet
            return None


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision``; return (from, to)."""
    from alembic import command  # noqa: PLC0415

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
    from alembic import command  # noqa: PLC0415

    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def ensure_current(engine: Engine) -> None:
    """Upgrade when behind; one query, without Alembic, when already at head."""
    if _stamped(engine) == HEAD:
        return
    upgrade(engine)
