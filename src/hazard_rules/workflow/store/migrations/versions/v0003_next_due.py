"""next_due replaces the never-set overdue flag; level general is ordinary (schema_migrations version 3)

`overdue` was always written False: replaced by `next_due`, which is kept true. The level
`general` is now `ordinary`, the verdict's word: projections are rewritten (events, being
hash-chained, are not: replay reads the old name, state.LEGACY_LEVELS).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from hazard_rules.workflow.domain.effects import next_due
from hazard_rules.workflow.domain.state import LEGACY_LEVELS, HazardState

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("ALTER TABLE hazards ADD COLUMN next_due DATE"))
    conn.execute(sa.text("CREATE INDEX ix_hazards_next_due ON hazards (next_due)"))
    rows = conn.execute(sa.text("SELECT id, level, data FROM hazards")).all()
    for row in rows:
        state = HazardState.model_validate_json(row.data)
        state = state.model_copy(update={"level": LEGACY_LEVELS.get(state.level, state.level)})
        conn.execute(sa.text("UPDATE hazards SET level = :level, next_due = :next_due, data = :data WHERE id = :id"),
                     {"id": row.id, "level": state.level, "next_due": next_due(state.deadlines),
                      "data": state.model_dump_json()})
    conn.execute(sa.text("ALTER TABLE hazards DROP COLUMN overdue"))


def downgrade() -> None:
    """Back to version 2: `overdue` as it always was (False, now with a server default to add
    it), no `next_due`, and the projections' level `general` again."""
    conn = op.get_bind()
    conn.execute(sa.text("ALTER TABLE hazards ADD COLUMN overdue BOOLEAN NOT NULL DEFAULT FALSE"))
    conn.execute(sa.text("DROP INDEX ix_hazards_next_due"))
    conn.execute(sa.text("ALTER TABLE hazards DROP COLUMN next_due"))
    old = {new: legacy for legacy, new in LEGACY_LEVELS.items()}
    for row in conn.execute(sa.text("SELECT id, level, data FROM hazards WHERE level IN :levels")
                            .bindparams(sa.bindparam("levels", expanding=True)), {"levels": list(old)}).all():
        state = HazardState.model_validate_json(row.data)
        state = state.model_copy(update={"level": old[state.level]})   # as version 2 wrote it
        conn.execute(sa.text("UPDATE hazards SET level = :level, data = :data WHERE id = :id"),
                     {"id": row.id, "level": state.level, "data": state.model_dump_json()})
