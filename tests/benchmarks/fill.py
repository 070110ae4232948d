"""Fast bulk fills: SQLAlchemy core ``executemany`` on the tables of ``actions.models``."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from actions import counters
from actions.models import Action, ActionStatus, ReminderSlot, Report, SlotStatus
from config.settings import ACTION_KINDS
from scheduler.db import engine_for
from scheduler.migrate import upgrade

CHUNK = 20_000
COUNTRIES = ("NL", "DE", "FR", "GB", "US", "BR", "KE", "JP", "AU", "ZA", None)


def new_database(path: Path) -> Engine:
    """A migrated SQLite file with the service's own engine settings (WAL and its pragmas)."""
    engine = engine_for(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def ua_number(index: int) -> str:
    """A distinct UA number per index, such as ``1.00`` … ``9999.99``."""
    return f"{index // 100 + 1}.{index % 100:02d}"


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _next_id(engine: Engine) -> int:
    with engine.connect() as connection:
        top = connection.execute(select(func.max(Action.__table__.c.id))).scalar()  # type: ignore[attr-defined]
    return int(top or 0) + 1


def add_actions(
    engine: Engine,
    count: int,
    *,
    deadline: datetime,
    offsets_s: Sequence[int],
    slot_due: datetime | None = None,
    spread_s: float = 1,
    first_ua: int | None = None,
) -> list[int]:
    """``count`` open actions, each with one pending reminder slot per offset; their ids.

    Deadlines are ``deadline + i * spread_s`` seconds; each slot is due at its deadline minus its
    offset, or at ``slot_due`` when given (a reminder due at one instant, or overdue).
    """
    start_id = _next_id(engine)
    first = start_id - 1 if first_ua is None else first_ua
    created = now()
    ids = list(range(start_id, start_id + count))
    action_table = Action.__table__  # type: ignore[attr-defined]
    slot_table = ReminderSlot.__table__  # type: ignore[attr-defined]

    def actions() -> Iterator[dict[str, Any]]:
        for i, action_id in enumerate(ids):
            yield {
                "id": action_id,
                "ua": ua_number(first + i),
                "title": f"Benchmark action {action_id}",
                "subjects": [],
                "status": ActionStatus.OPEN,
                "deadline": deadline + timedelta(seconds=i * spread_s),
                "timezone": "UTC",
                "preferred_languages": ["English"],
                "tags": [],
                "reminder_offsets_s": list(offsets_s),
                "late_reports_welcome": True,
                "created_at": created,
                "updated_at": created,
            }

    def slots() -> Iterator[dict[str, Any]]:
        for i, action_id in enumerate(ids):
            action_deadline = deadline + timedelta(seconds=i * spread_s)
            for offset in offsets_s:
                yield {
                    "action_id": action_id,
                    "offset_s": offset,
                    "due_at": slot_due or action_deadline - timedelta(seconds=offset),
                    "status": SlotStatus.PENDING,
                }

    with engine.begin() as connection:
        for batch in _chunks(actions()):
            connection.execute(insert(action_table), batch)
        for batch in _chunks(slots()):
            connection.execute(insert(slot_table), batch)
    return ids


def add_reports(
    engine: Engine, action_id: int, count: int, *, supporter_share: float, late_share: float, seed: int = 7
) -> None:
    """``count`` reports for one action; ``supporter_share`` of them carry a supporter hash drawn
    from a pool a third their number (so a supporter reports three times on average)."""
    rng = random.Random(seed)
    received = now()
    pool = max(1, int(count * supporter_share / 3))
    table = Report.__table__  # type: ignore[attr-defined]

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(count):
            known = rng.random() < supporter_share
            yield {
                "action_id": action_id,
                "received_at": received,
                "late": rng.random() < late_share,
                "country": rng.choice(COUNTRIES),
                "source": "api",
                "supporter_hash": f"{rng.randrange(pool):064x}" if known else None,
                "idempotency_key": None if i % 2 else f"bench-{i}",
                "letter": rng.randrange(3),
                "email": rng.randrange(4),
                "fax": rng.randrange(2),
                "call": rng.randrange(2),
                "post": rng.randrange(5),
                "other": rng.randrange(2),
            }

    with engine.begin() as connection:
        for batch in _chunks(rows()):
            connection.execute(insert(table), batch)


def add_reports_sql(engine: Engine, action_id: int, count: int, *, late_every: int = 20) -> None:
    """``count`` anonymous reports for one action, made by the database itself in one statement
    (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL): a million in seconds. Every
    ``late_every``-th is late, countries cycle through a few codes; the action's running totals are
    then set from a recount, as the migration fills them."""
    kinds = ", ".join(ACTION_KINDS)
    values = (
        f"{action_id}, :received, (n % {late_every} = 0), "
        "CASE n % 4 WHEN 0 THEN 'NL' WHEN 1 THEN 'DE' WHEN 2 THEN 'FR' ELSE NULL END, 'api', false, "
        "n % 3, n % 4, n % 2, n % 2, n % 5, n % 2"
    )
    if engine.dialect.name == "postgresql":
        sql = (
            f"INSERT INTO report (action_id, received_at, late, country, source, held, {kinds}) "
            f"SELECT {values} FROM generate_series(1, :count) AS n"
        )
    else:
        sql = (
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :count) "
            f"INSERT INTO report (action_id, received_at, late, country, source, held, {kinds}) "
            f"SELECT {values} FROM seq"
        )
    received = now() if engine.dialect.name == "postgresql" else now().replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(text(sql), {"count": count, "received": received})
        counted = counters.recount(connection, action_id)
        connection.execute(counters.COUNTER.delete().where(counters.COUNTER.c.action_id == action_id))
        counters.add(connection, action_id, counted.without_zeros())
