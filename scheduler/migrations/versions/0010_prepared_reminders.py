"""Reminders decided ahead: outbox rows know their slot and the instant they may go out

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import actions.columns

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("not_before", actions.columns.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_delivery_slot", "reminderslot", ["slot_id"], ["id"])
        batch_op.create_index("ix_delivery_slot_id", ["slot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_slot_id")
        batch_op.drop_constraint("fk_delivery_slot", type_="foreignkey")
        batch_op.drop_column("slot_id")
        batch_op.drop_column("not_before")
