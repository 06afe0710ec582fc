"""`make run-replicas`: one action server, two Rasa replicas and the web front on PostgreSQL and Redis.

DATABASE_URL (postgresql://...) and REDIS_URL must name the shared servers; the
database is created if it does not exist and the knowledge base is seeded.
Rasa listens on 5005 and 5006; put a load balancer in front of both.

    python -m scripts.run_replicas                  # run until Ctrl-C
    python -m scripts.run_replicas -- COMMAND ...   # run COMMAND against them, then stop
"""

from __future__ import annotations

import logging
import subprocess
import sys

from sqlalchemy.engine import make_url

from scripts.runner import services, start_all, stop_all, supervise
from signpost.config import get_settings
from signpost.knowledge.content import load_content
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.storage.engine import ensure_database, make_engine

USAGE = (
    "make run-replicas needs a shared PostgreSQL database and Redis, for example:\n"
    "  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/signpost REDIS_URL=redis://127.0.0.1:6379/0 "
    "make run-replicas\n(or set both in .env)"
)


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = get_settings()
    if make_url(settings.database_url).get_backend_name() != "postgresql" or not settings.redis_url:
        print(USAGE, file=sys.stderr)
        return 2
    if ensure_database(settings.database_url):
        print(f"created database {make_url(settings.database_url).database}")
    engine = make_engine(settings.database_url)
    create_schema(engine)
    seed(engine, load_content())
    engine.dispose()
    svcs = services(replica_ports=(5006,))
    try:
        start_all(svcs)
        if command:
            return subprocess.call(command)
        print(
            "\nTwo Rasa replicas share PostgreSQL and Redis:\n"
            "  Rasa replicas  http://localhost:5005/  http://localhost:5006/\n"
            "  REST channel   POST http://localhost:{5005,5006}/webhooks/rest/webhook\n"
            "  Action server  http://localhost:5055/health\n"
            "  Web front      http://localhost:8080/  (widget and staff console, using 5005)\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        supervise(svcs)
    finally:
        stop_all(svcs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
