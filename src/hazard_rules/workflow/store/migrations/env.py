"""Alembic's entry point: run the revisions on the connection the ledger passed in
(`config.attributes["connection"]`), in its transaction."""

from alembic import context

from hazard_rules.workflow.store.schema import metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # schema_migrations is the record a pre-Alembic database kept; it stays, unmanaged.
    return not (type_ == "table" and name == "schema_migrations")


context.configure(connection=context.config.attributes["connection"], target_metadata=metadata,
                  include_name=include_name)
with context.begin_transaction():
    context.run_migrations()
