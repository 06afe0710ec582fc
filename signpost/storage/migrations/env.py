"""Alembic's environment: run by signpost.schema (upgrade at start-up and at seed) and by
`python -m signpost migration` (a new revision), always with a connection handed in."""

from __future__ import annotations

from alembic import context

from signpost.storage.base import Base

config = context.config
connection = config.attributes["connection"]
# Autogenerate compares with every table of ours; signpost.schema has imported them all.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
    compare_type=True,
    include_name=lambda name, kind, _parent: kind != "table" or name in Base.metadata.tables,
)
with context.begin_transaction():
    context.run_migrations()
