"""Every table we own (knowledge base, conversation records with SMS state, staff
accounts), brought to the latest migration. The one module that knows them all, so
nothing below it has to.

Schema changes are Alembic revisions under signpost/storage/migrations/versions
(`python -m signpost migration "what changes"` writes one from the models). A database
made before migrations existed holds the first revision's tables without Alembic's
version table: it is stamped at that revision, then upgraded like any other.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

# Alembic logs at INFO what it sets up, on import and on every start; our own line says
# when a revision ran. Set before the first import of it.
logging.getLogger("alembic").setLevel(logging.WARNING)

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from signpost.conversations import models as _conversations  # noqa: F401 - registers the conv_ tables
from signpost.conversations import sms_records as _sms  # noqa: F401 - registers the sms_ tables
from signpost.knowledge import models as _knowledge  # noqa: F401 - registers the kb_ tables
from signpost.staff import models as _staff  # noqa: F401 - registers the staff_ tables

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "storage" / "migrations"
#: A table of the first revision: present without a version table = made by create_all.
BASELINE_TABLE = "conv_handoffs"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def create_schema(engine: Engine) -> None:
    """Upgrade the database to the latest revision (a new one gets every table)."""
    with engine.begin() as connection:
        config = alembic_config(connection)
        if current_revision(connection) is None and inspect(connection).has_table(BASELINE_TABLE):
            base = ScriptDirectory.from_config(config).get_base() or "base"
            logger.info("tables made before migrations: stamped at %s", base)
            command.stamp(config, base)
        before = current_revision(connection)
        command.upgrade(config, "head")
        after = current_revision(connection)
        if after != before:
            logger.info("database schema upgraded from %s to %s", before or "nothing", after)


def create_schema_retrying(engine: Engine, attempts: int = 3) -> None:
    """Create our tables; replicas starting together may race to create the same one."""
    for attempt in range(1, attempts + 1):
        try:
            create_schema(engine)
            return
        except SQLAlchemyError as exc:
            if attempt == attempts:
                raise
            logger.warning("creating tables failed (%s); trying again", type(exc).__name__)
            time.sleep(attempt)


def new_revision(engine: Engine, message: str, rev_id: str | None = None) -> None:
    """Write a revision with what the models hold beyond the database's latest revision."""
    create_schema(engine)
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id)
