"""Schema changes go through migrations: on SQLite and PostgreSQL the revisions build
exactly the tables the models describe, a database made before migrations is taken over,
and a second start changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from signpost import schema
from signpost.storage.base import Base
from tests.tables import made_before_migrations


def differences(engine) -> list:
    with engine.connect() as connection:
        ours = lambda name, kind, _parent: kind != "table" or name in Base.metadata.tables  # noqa: E731
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": ours})
        return compare_metadata(context, Base.metadata)


def test_the_revisions_build_what_the_models_describe(engine):
    schema.create_schema(engine)
    assert differences(engine) == [], "a model changed without a revision: python -m signpost migration '...'"
    with engine.connect() as connection:
        assert schema.current_revision(connection) == schema.head()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_a_second_start_changes_nothing(engine):
    schema.create_schema(engine)
    schema.create_schema_retrying(engine)
    assert differences(engine) == []


def test_a_database_made_before_migrations_is_stamped_and_kept(engine):
    made_before_migrations(engine)  # as every start did before there were revisions
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO staff_users (username, password_hash, created_at) "
                                   "VALUES ('kept', 'x', '2026-01-01 00:00:00')")  # fmt: skip
    schema.create_schema(engine)
    with engine.connect() as connection:
        assert schema.current_revision(connection) == schema.head()
        assert connection.exec_driver_sql("SELECT username FROM staff_users").scalars().all() == ["kept"]
