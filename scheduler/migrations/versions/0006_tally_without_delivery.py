"""Final tallies lose the delivery columns kept from before the outbox

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import actions.columns

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

DELIVERY_STATUS = sa.Enum("PENDING", "SENDING", "SENT", name="deliverystatus")


def upgrade() -> None:
    # Each tally's delivery is its outbox rows (``delivery.final_tally_id``); these columns only
    # ever said "handed to the outbox".
    with op.batch_alter_table("finaltally", schema=None) as batch_op:
        batch_op.drop_index("ix_finaltally_delivery")
        batch_op.drop_column("delivery")
        batch_op.drop_column("attempt_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("delivered_at")
    DELIVERY_STATUS.drop(op.get_bind(), checkfirst=True)  # PostgreSQL's enum type; nothing on SQLite


def downgrade() -> None:
    DELIVERY_STATUS.create(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("finaltally", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery", DELIVERY_STATUS, nullable=False, server_default="SENT"))
        batch_op.add_column(
            sa.Column("attempt_at", actions.columns.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("claimed_at", actions.columns.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("delivered_at", actions.columns.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_finaltally_delivery", ["delivery"], unique=False)
    op.execute("UPDATE finaltally SET attempt_at = created_at, delivered_at = created_at")
    with op.batch_alter_table("finaltally", schema=None) as batch_op:
        batch_op.alter_column("attempt_at", nullable=False)
