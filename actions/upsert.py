"""``INSERT … ON CONFLICT`` in the form of the database in use (SQLite's or PostgreSQL's).

SQLAlchemy keeps the two forms in its dialects; each is loaded only by a process that uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


def insert_for(dialect: str, table: Any) -> PostgresInsert | SqliteInsert:
    """An insert into ``table`` (a Table or a table model) that can say what to do on a conflict."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert  # noqa: PLC0415

        return postgres_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415

    return sqlite_insert(table)
