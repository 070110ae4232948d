"""The database: engine per URL, SQLite tuned for one writer and many readers, schema creation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import create_engine

import actions.models  # noqa: F401  (registers the tables)
from config.errors import SettingsError
from scheduler.files import ensure_private_file
from scheduler.migrate import ensure_current

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 64
SQLITE_POOL_OVERFLOW = 16


def engine_for(url: str) -> Engine:
    """An engine for ``url``; ``postgresql://`` means psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(
            "setting 'database_url': not a database URL such as "
            "sqlite:///ua-scheduler.db or postgresql://host/db"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            # SQLite would make the file (and its WAL and SHM, which copy its mode) with the umask's mode.
            try:
                ensure_private_file(Path(parsed.database))
            except OSError as exc:
                raise SettingsError(
                    f"setting 'database_url': {parsed.database}: cannot create it: {exc.strerror}"
                ) from None
        # Enough pooled connections for the HTTP door's worker threads and the dispatcher's sends
        # together, so none of them queues for one.
        engine = create_engine(
            parsed,
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_OVERFLOW,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        _write_ahead_log(engine)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise SettingsError(
            f"setting 'database_url': {parsed.get_backend_name()} is not supported; "
            "use sqlite:///FILE or postgresql://HOST/DB"
        )
    engine = create_engine(parsed, pool_pre_ping=True)
    event.listen(engine, "connect", _postgres_utc)
    return engine


def _postgres_utc(connection: Any, _record: Any) -> None:
    """Dates the database computes (reports per day) are UTC days, whatever the server's zone."""
    cursor = connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    connection.commit()


def _write_ahead_log(engine: Engine) -> None:
    """WAL lets readers go on while one writes; it is a property of the file, set once."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Bring the schema up to date through the migrations (``scheduler.migrate``)."""
    ensure_current(engine)
