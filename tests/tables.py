"""Looking through every table of a database, for tests about what is stored."""

from __future__ import annotations

from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine

from signpost.storage.engine import make_engine


def rows_by_table(database_url: str) -> dict[str, list[str]]:
    """Every row of every table, each row's values joined into one string."""
    engine = make_engine(database_url)
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            out[table.name] = [" ".join(str(value) for value in row) for row in conn.execute(select(table))]
    engine.dispose()
    return out


def everything_stored(database_url: str) -> str:
    """Every value in every table, as one string."""
    return "\n".join(row for rows in rows_by_table(database_url).values() for row in rows)


def tables_mentioning(database_url: str, needle: str) -> dict[str, int]:
    """Tables with rows that contain `needle`, and how many rows."""
    found = {name: sum(needle in row for row in rows) for name, rows in rows_by_table(database_url).items()}
    return {name: n for name, n in found.items() if n}


def made_before_migrations(engine: Engine) -> None:
    """The tables a release before migrations made with create_all: those of the first
    revision, and no Alembic version table."""
    from alembic import command

    from signpost.schema import alembic_config

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.exec_driver_sql("DROP TABLE alembic_version")
