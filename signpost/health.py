"""Liveness and readiness, for the process supervisor and Kubernetes' probes.

Liveness stays simple: the process answers HTTP (`GET /` on the Rasa server, `GET /health`
on the action server and the web front). A process that is alive but cannot serve is
restarted only if it stops answering, never because the database is down: restarting
would not bring the database back.

Readiness (`GET /ready` on all three) says whether the process can do its work now:
the Rasa server needs its model loaded and the database (tracker store) reachable, the
action server and the web front the database. A process that is not ready answers 503
and Kubernetes stops sending it traffic until it is. The answer names each check as
"ok" or "failing", never an exception's message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sqlalchemy import text
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

READY_PATH = "/ready"
CHECK_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Readiness:
    checks: Mapping[str, bool]

    @property
    def ready(self) -> bool:
        return all(self.checks.values())

    @property
    def status(self) -> int:
        return 200 if self.ready else 503

    def body(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "not ready",
            "checks": {name: "ok" if ok else "failing" for name, ok in self.checks.items()},
        }


def database_reachable(engine: Engine) -> bool:
    """Whether a connection to the database can be opened and answer `SELECT 1`."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        logger.warning("readiness: database not reachable (%s)", type(exc).__name__)
        return False


async def _run(name: str, check: Callable[[], bool], timeout_s: float) -> bool:
    try:
        return bool(await asyncio.wait_for(asyncio.to_thread(check), timeout_s))
    except asyncio.TimeoutError:
        logger.warning("readiness: %s check took longer than %.0f s", name, timeout_s)
    except Exception as exc:  # noqa: BLE001 - a check that raises is failing
        logger.warning("readiness: %s check failed (%s)", name, type(exc).__name__)
    return False


async def readiness(checks: Mapping[str, Callable[[], bool]], timeout_s: float = CHECK_TIMEOUT_S) -> Readiness:
    """Run the blocking `checks` on worker threads at once; one that raises or takes longer
    than `timeout_s` is failing."""
    names = list(checks)
    results = await asyncio.gather(*(_run(name, checks[name], timeout_s) for name in names))
    return Readiness(dict(zip(names, results, strict=True)))
