"""Every table we own, made where missing: knowledge base, conversation records (SMS state
included), staff accounts. The one module that knows them all, so nothing below it has to."""

from __future__ import annotations

import logging
import time

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from signpost.conversations import models as _conversations  # noqa: F401 - registers the conv_ tables
from signpost.conversations import sms_records as _sms  # noqa: F401 - registers the sms_ tables
from signpost.knowledge import models as _knowledge  # noqa: F401 - registers the kb_ tables
from signpost.staff import models as _staff  # noqa: F401 - registers the staff_ tables
from signpost.storage.base import Base

logger = logging.getLogger(__name__)


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)


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
