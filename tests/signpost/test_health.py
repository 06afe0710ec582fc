"""Readiness: each check on its own thread, a failing, raising or hanging check makes the
process not ready; the answer names the checks, never an exception's message."""

from __future__ import annotations

import json
import time

import pytest

from signpost.health import database_reachable, readiness
from signpost.storage.engine import make_engine


async def test_ready_only_when_every_check_passes():
    result = await readiness({"model": lambda: True, "database": lambda: True})
    assert result.ready and result.status == 200
    assert result.body() == {"status": "ready", "checks": {"model": "ok", "database": "ok"}}
    result = await readiness({"model": lambda: False, "database": lambda: True})
    assert not result.ready and result.status == 503
    assert result.body() == {"status": "not ready", "checks": {"model": "failing", "database": "ok"}}


async def test_a_check_that_raises_or_hangs_is_failing_and_its_message_is_not_kept(caplog):
    def raises() -> bool:
        raise RuntimeError("password=hunter2 in the message")

    def hangs() -> bool:
        time.sleep(1)
        return True

    started = time.monotonic()
    result = await readiness({"raises": raises, "hangs": hangs, "fine": lambda: True}, timeout_s=0.2)
    assert time.monotonic() - started < 0.9  # the checks ran side by side, the hang was cut short
    assert result.body()["checks"] == {"raises": "failing", "hangs": "failing", "fine": "ok"}
    assert "hunter2" not in json.dumps(result.body()) and "hunter2" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_the_database_check(sqlite_url):
    assert database_reachable(make_engine(sqlite_url))


@pytest.mark.parametrize(
    "url",
    ["postgresql://nobody:secret@127.0.0.1:9/nothing", "sqlite:////proc/no-such-dir/signpost.db"],
    ids=["nothing listening", "cannot open"],
)
def test_an_unreachable_database_is_not_ready(url, caplog):
    from sqlalchemy import create_engine

    assert not database_reachable(create_engine(url, future=True))
    assert "secret" not in caplog.text and "database not reachable" in caplog.text
