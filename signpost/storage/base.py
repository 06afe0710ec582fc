"""The one declarative base every table of ours derives from."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import registry
from sqlalchemy.orm.decl_api import DeclarativeMeta

mapper_registry = registry()


class Base(metaclass=DeclarativeMeta):
    """Declarative base spelled out, so type checkers understand it (SQLAlchemy 1.4 and 2.0)."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__: Any = mapper_registry.constructor
