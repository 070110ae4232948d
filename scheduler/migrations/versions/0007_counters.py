"""Running totals per action (by lateness and review state), backfilled from the reports; reports
may be held for review

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

KINDS = ("letter", "email", "fax", "call", "post", "other")

# The counters as the tally counts: one supporter's reports merged (the most of each kind, per target),
# anonymous reports as they come.
BACKFILL = f"""
INSERT INTO actioncounter (action_id, late, held, reports, {", ".join(KINDS)})
SELECT action_id, late, held, COUNT(*), {", ".join(f"SUM({k})" for k in KINDS)}
FROM (
    SELECT action_id, late, held, {", ".join(f"MAX({k}) AS {k}" for k in KINDS)}
    FROM report WHERE supporter_hash IS NOT NULL
    GROUP BY action_id, supporter_hash, late, held, target_id
    UNION ALL
    SELECT action_id, late, held, {", ".join(KINDS)}
    FROM report WHERE supporter_hash IS NULL
) AS merged
GROUP BY action_id, late, held
"""  # noqa: S608  (constant column names, no input)


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "actioncounter",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        *(sa.Column(kind, sa.Integer(), nullable=False) for kind in KINDS),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"]),
        sa.PrimaryKeyConstraint("action_id", "late", "held"),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("actioncounter")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("held")
