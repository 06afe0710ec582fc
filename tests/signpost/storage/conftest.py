"""Each storage test runs on a fresh SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

import pytest

from signpost.storage.engine import make_engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def engine(request, sqlite_url):
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()
