"""Final tallies can be superseded; reports can be held for review; confirmation emails are counted

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import actions.columns

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

REVIEW = sa.Enum("APPROVED", "REJECTED", name="review")


def upgrade() -> None:
    REVIEW.create(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review", REVIEW, nullable=True))
        batch_op.add_column(
            sa.Column("reviewed_at", actions.columns.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_report_review"), ["review"], unique=False)

    with op.batch_alter_table("finaltally", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("superseded_at", actions.columns.UTCDateTime(timezone=True), nullable=True)
        )

    op.create_table(
        "confirmationsent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", actions.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("confirmationsent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_confirmationsent_address_action_at",
            ["address_hash", "action_id", "sent_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("confirmationsent", schema=None) as batch_op:
        batch_op.drop_index("ix_confirmationsent_address_action_at")
    op.drop_table("confirmationsent")

    with op.batch_alter_table("finaltally", schema=None) as batch_op:
        batch_op.drop_column("superseded_at")

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_review"))
        batch_op.drop_column("review_note")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review")
    REVIEW.drop(op.get_bind(), checkfirst=True)
