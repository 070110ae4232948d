"""Dashboard sessions kept server-side, so signing out ends them and they expire

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import actions.columns

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "staffsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("created_at", actions.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", actions.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", actions.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["apitoken.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("staffsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staffsession_token_id"), ["token_id"], unique=False)


def downgrade() -> None:
    # Cookies from before the upgrade carried a token hash, not a session key: after a downgrade
    # every dashboard user signs in again.
    with op.batch_alter_table("staffsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staffsession_token_id"))
    op.drop_table("staffsession")
