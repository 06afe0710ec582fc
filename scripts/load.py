"""`make load` / `make load-replicas`: locust at 20, 50 and 100 concurrent conversations,
then a soak, reporting turns per second, p50/p95 latency, error rate and memory growth.
Prints figures; asserts nothing.

    python -m scripts.load --locust .venv-load/bin/locust [--users 20,50,100] [--duration 60]
                           [--soak 600] [--hosts http://localhost:5005[,http://localhost:5006]]

The scenario is scripts/load/locustfile.py (whole conversations, 2-5 s between
messages). Memory is the resident size of the Rasa server(s) and the action
server, sampled during the soak; growth compares the end with the first sample
taken after one minute of load.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.runner import resident_mb

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "scripts" / "load" / "locustfile.py"
WARM_UP_S = 60


def run_locust(locust: str, hosts: list[str], users: int, seconds: int) -> dict[str, float]:
    """One headless locust run; the figures of its 'turn' requests after every user started."""
    with tempfile.TemporaryDirectory() as out:
        prefix = str(Path(out) / "run")
        subprocess.run(
            [
                locust, "-f", str(LOCUSTFILE), "--headless", "--users", str(users),
                "--spawn-rate", str(max(5, users // 5)), "--run-time", f"{seconds}s", "--host", hosts[0],
                "--csv", prefix, "--reset-stats", "--only-summary", "--loglevel", "ERROR",
            ],
            cwd=ROOT, env={**os.environ, "LOAD_HOSTS": ",".join(hosts)}, check=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        with open(f"{prefix}_stats.csv", newline="") as f:
            row = next(r for r in csv.DictReader(f) if r["Name"] == "turn")
    count = float(row["Request Count"])
    return {
        "turns": count,
        "rate": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "errors": 100 * float(row["Failure Count"]) / count if count else 0.0,
    }


def line(label: str, figures: dict[str, float]) -> str:
    return (
        f"{label}: {figures['turns']:.0f} turns, {figures['rate']:.1f} turns/s, p50 {figures['p50']:.0f} ms, "
        f"p95 {figures['p95']:.0f} ms, errors {figures['errors']:.2f}%"
    )


def processes(hosts: list[str]) -> dict[str, str]:
    """Display name -> command-line pattern of each server process to watch."""
    named = {f"Rasa on {h.rsplit(':', 1)[1]}": f"--port {h.rsplit(':', 1)[1]} --endpoints" for h in hosts}
    return {**named, "action server": "signpost.rasa_plugins.serve run actions"}


def soak(locust: str, hosts: list[str], users: int, seconds: int) -> None:
    watched = processes(hosts)
    samples: dict[str, list[float]] = {name: [] for name in watched}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(15):
            for name, pattern in watched.items():
                found = resident_mb(pattern)
                if found:
                    samples[name].append(found[0])

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.monotonic()
    sampler.start()
    figures = run_locust(locust, hosts, users, seconds)
    done.set()
    sampler.join()
    print(line(f"soak, {users} conversations for {(time.monotonic() - started) / 60:.0f} min", figures))
    skip = WARM_UP_S // 15
    for name, values in samples.items():
        if len(values) > skip + 1:
            first, last = values[skip], values[-1]
            print(
                f"  {name}: {first:.0f} MB after {WARM_UP_S} s, {last:.0f} MB at the end, "
                f"peak {max(values):.0f} MB, growth {100 * (last - first) / first:+.1f}%"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--locust", required=True)
    parser.add_argument("--hosts", default="http://localhost:5005")
    parser.add_argument("--users", default="20,50,100")
    parser.add_argument("--duration", type=int, default=60, help="seconds per level")
    parser.add_argument("--soak", type=int, default=600, help="soak seconds at the first level (0: none)")
    args = parser.parse_args()
    hosts = args.hosts.split(",")
    levels = [int(u) for u in args.users.split(",")]
    print(f"load on {', '.join(hosts)}: {LOCUSTFILE.name}, {os.cpu_count()} CPUs", flush=True)
    for users in levels:
        print(
            line(f"{users} concurrent conversations", run_locust(args.locust, hosts, users, args.duration)), flush=True
        )
    if args.soak:
        soak(args.locust, hosts, levels[0], args.soak)
    return 0


if __name__ == "__main__":
    sys.exit(main())
