"""`make bench`: REST turn latency (sequential and 20 concurrent conversations),
training time and resident memory of both servers. Prints figures; asserts nothing.

    python scripts/bench.py [--turns 200] [--concurrency 20] [--skip-train]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rest import send  # noqa: E402

from signpost.runner import resident_mb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# A realistic conversation: a description missing its symptom, the answer,
# a side question, tips, contacts, a named type.
CONVERSATION = [
    "hello",
    "my neck",
    "it keeps twisting to the left",
    "is there a cure?",
    "tips",
    "contacts",
    "what is blepharospasm",
    "my eyes keep blinking and clamp shut",
    "thanks",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run_conversations(turns: int) -> list[float]:
    """`turns` turns as a series of whole conversations, each under a new sender id."""
    timings: list[float] = []
    sender = ""
    for i in range(turns):
        if i % len(CONVERSATION) == 0:
            sender = f"bench-{uuid.uuid4().hex}"
        started = time.perf_counter()
        send(sender, CONVERSATION[i % len(CONVERSATION)])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float], wall_s: float) -> None:
    print(
        f"{label}: {len(timings)} turns, p50 {statistics.median(timings):.0f} ms, "
        f"p95 {percentile(timings, 95):.0f} ms, max {max(timings):.0f} ms, {len(timings) / wall_s:.1f} turns/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()

    run_conversations(len(CONVERSATION))  # warm up
    started = time.perf_counter()
    report("sequential", run_conversations(args.turns), time.perf_counter() - started)

    per_conversation = max(1, args.turns // args.concurrency) * 2
    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(run_conversations, [per_conversation] * args.concurrency))
    report(
        f"{args.concurrency} concurrent conversations", [t for r in results for t in r], time.perf_counter() - started
    )

    for name, pattern in (
        ("Rasa server", "signpost.serve run --model"),
        ("action server", "signpost.serve run actions"),
    ):
        mem = resident_mb(pattern)
        print(f"{name} resident memory: " + (f"{mem[0]:.0f} MB (peak {mem[1]:.0f} MB)" if mem else "not found"))

    if not args.skip_train:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "rasa", "train", "--force", "--out", out],
                cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            print(f"training time (rasa train --force, NLU and dialogue): {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
