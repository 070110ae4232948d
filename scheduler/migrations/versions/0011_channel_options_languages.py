"""Channels' digest, quiet hours, language and zone; titles and salutations in other languages

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("quiet_hours", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_i18n", sa.JSON(), nullable=True))

    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("salutations", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_column("salutations")

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("title_i18n")

    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("language")
        batch_op.drop_column("quiet_hours")
        batch_op.drop_column("digest")
