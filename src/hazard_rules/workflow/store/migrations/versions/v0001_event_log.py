"""event log and hazard projection (schema_migrations version 1)

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hazards",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("enterprise_id", sa.String(100)),
        sa.Column("jurisdiction", sa.String(20)),
        sa.Column("listed", sa.Boolean, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_hazards_state", "hazards", ["state"])
    op.create_index("ix_hazards_enterprise_id", "hazards", ["enterprise_id"])
    op.create_index("ix_hazards_jurisdiction", "hazards", ["jurisdiction"])
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hazard_id", sa.String(200), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("from_state", sa.String(40), nullable=False),
        sa.Column("to_state", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("hazard_id", "n", name="events_hazard_n"),
    )
    op.create_index("ix_events_hazard_id", "events", ["hazard_id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("hazards")
