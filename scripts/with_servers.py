"""Run a command against the assistant, starting it first if it is not already up.

python -m scripts.with_servers -- COMMAND [ARGS...]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.runner import healthy, services, start_all, stop_all


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    svcs = services(log_dir=Path(tempfile.mkdtemp(prefix="signpost-logs-")))
    started = []
    if not all(healthy(s.health_url) for s in svcs):
        print("starting the assistant for this run...", flush=True)
        start_all(svcs)
        started = svcs
    try:
        return subprocess.call(command)
    finally:
        stop_all(started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
