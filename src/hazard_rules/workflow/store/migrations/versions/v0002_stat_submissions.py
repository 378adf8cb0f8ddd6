"""enterprise statistics submissions (schema_migrations version 2)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("enterprise_id", sa.String(100), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("submitted_at", sa.String(40), nullable=False),
        sa.Column("signed_by", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("enterprise_id", "period", "digest", name="stat_submissions_table"),
    )
    op.create_index("ix_stat_submissions_enterprise_id", "stat_submissions", ["enterprise_id"])


def downgrade() -> None:
    op.drop_table("stat_submissions")
