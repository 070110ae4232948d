"""Who plans: exactly one instance fires timers; every instance serves HTTP and dispatches.

- PostgreSQL: leadership is a session advisory lock held on a connection of its own; when the
  leader dies its connection closes, the lock is freed, and another instance takes it at its next
  try (every ``poll_interval``).
- SQLite serves one instance: an exclusive lock on ``<database>.lock`` refuses a second one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO, Protocol

import structlog
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from config.errors import SettingsError
from scheduler.files import ensure_private_file

log = structlog.get_logger("ua_scheduler.leadership")

LEADER_LOCK_KEY = 0x55_41_53_43  # "UASC"
SCHEMA_LOCK = ":key, hashtext(current_schema())"
"""An advisory lock's two keys: ours, and the schema's, so that deployments sharing one database in
schemas of their own (``options=-csearch_path=…``) each elect their own leader and migrate apart."""


class Leadership(Protocol):
    def try_lead(self) -> bool:
        """Lead if possible; true while this instance leads."""
        ...

    def release(self) -> None: ...


class NotLeading:
    """Before the daemon has looked: leads nothing."""

    def try_lead(self) -> bool:
        return False

    def release(self) -> None:
        pass


class SingleInstance:
    """SQLite: this process holds ``<database>.lock`` for its whole life, or refuses to start."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        ensure_private_file(self.path)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise SettingsError(
                f"database_url: another `ua-scheduler run` ({holder}) uses {self.path.with_suffix('')}; "
                "SQLite serves one instance: stop it, or use PostgreSQL to run several"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle

    def try_lead(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class AdvisoryLock:
    """PostgreSQL: ``pg_try_advisory_lock`` on a connection kept open while leading."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None

    def try_lead(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
            except SQLAlchemyError:
                log.warning("leadership.lost", reason="the lock's connection failed")
                self._close()
            else:
                return True
        try:
            connection = self.engine.connect()
            got = connection.execute(
                text(f"SELECT pg_try_advisory_lock({SCHEMA_LOCK})"), {"key": LEADER_LOCK_KEY}
            ).scalar()
            connection.commit()
        except SQLAlchemyError as exc:
            log.warning("leadership.unavailable", error=type(exc).__name__)
            return False
        if not got:
            connection.close()
            return False
        self._connection = connection
        log.info("leadership.acquired")
        return True

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                unlock = text(f"SELECT pg_advisory_unlock({SCHEMA_LOCK})")
                self._connection.execute(unlock, {"key": LEADER_LOCK_KEY})
                self._connection.commit()
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._connection.close()
            self._connection = None


def for_engine(engine: Engine) -> Leadership:
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            raise SettingsError("database_url: `run` needs a SQLite file, not an in-memory database")
        lock = SingleInstance(Path(database).resolve())
        lock.acquire()
        return lock
    return AdvisoryLock(engine)
