"""Where a turn's time goes: py-spy samples both servers while turns run, by part.

    python -m scripts.profile_turn [--port-offset 1000] [--turns 60] [--long 200] [--model PATH]

Starts the Rasa server and the action server on a freshly seeded SQLite database (ports
from 5305 shifted by --port-offset, as `make bench`), sends `--turns` signposting turns
(each the second turn of a new conversation), then one conversation of `--long` turns,
and prints for each run the CPU milliseconds per turn of each part of each process
(py-spy's samples of the busy threads, 200 a second), so the list adds up to the CPU a
turn costs. The folded stacks are kept (printed path) for flame graphs.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from scripts import runner
from scripts.bench import CONVERSATION, OUR_PORTS, SIGNPOSTING, Bot, seeded_database

RATE = 200
# The first part whose marker appears in a sample's stack gets the sample (most specific first).
PARTS = [
    ("redaction", ("signpost/language/redaction.py",)),
    ("privacy-notice check (is_new_conversation)", ("is_new_conversation",)),
    ("knowledge reads (repository, SQLAlchemy)", ("signpost/knowledge/repository.py", "knowledge/cache.py")),
    ("triage and framing", ("signpost/language/triage.py", "signpost/language/framing.py")),
    ("tracker store: retrieve", ("retrieve (", "_retrieve (")),
    ("tracker store: save", ("save (signpost/rasa_plugins/tracker_store.py", "save (rasa/core/tracker_store.py")),
    ("lock store", ("signpost/rasa_plugins/lock_store.py", "lock_store.py")),
    ("action call (Rasa side: payload, HTTP)", ("rasa/core/actions/action.py", "signpost/rasa_plugins/resilience.py")),
    ("NLU pipeline", ("parse_message (", "rasa/nlu/", "signpost/rasa_plugins/nlu/")),
    (
        "policies (next-action prediction)",
        ("predict_next", "rasa/core/policies/", "signpost/rasa_plugins/safety_policy.py"),
    ),
    ("actions (rasa-sdk: parse tracker, run)", ("rasa_sdk/",)),
    ("SQLAlchemy elsewhere", ("sqlalchemy/",)),
    ("HTTP server, JSON, event loop", ("sanic/", "json", "asyncio/", "uvloop")),
]


# Where a thread waits: samples whose innermost frame is one of these are not CPU.
IDLE = (
    "_worker (concurrent/futures/thread.py",
    "serve (sanic/server/runners.py",
    "wait (threading.py",
    "select (selectors.py",
    "serve_forever (socketserver.py",
    "_bootstrap (threading.py",
    "run (threading.py",  # a thread waiting in a C event loop (the local actions' uvloop)
)


def part_of(stack: str) -> str:
    for name, markers in PARTS:
        if any(m in stack for m in markers):
            return name
    return "other"


def folded(path: Path) -> collections.Counter[str]:
    parts: collections.Counter[str] = collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        stack = stack.replace("/work/main/", "").replace(".venv/lib/python3.10/site-packages/", "")
        if stack and not stack.rsplit(";", 1)[-1].startswith(IDLE):
            parts[part_of(stack)] += int(count)
    return parts


def profiled(svcs: list[runner.Service], out: Path, label: str, work: callable) -> int:  # type: ignore[valid-type]
    """Run `work()` with py-spy recording every server; print the parts; return the turns made."""
    spies = []
    for svc in svcs:
        assert svc.process is not None
        path = out / f"{label}-{svc.name.replace(' ', '-')}.folded"
        spies.append((svc, path, subprocess.Popen(
            [runner.bin_path("py-spy"), "record", "--pid", str(svc.process.pid), "--rate", str(RATE), "--format", "raw",
             "--output", str(path), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )))  # fmt: skip
    time.sleep(2)  # py-spy attaches
    turns = work()
    for _, _, spy in spies:
        spy.send_signal(2)
        spy.wait(30)
    print(f"\n{label}: {turns} turns, CPU ms per turn by part")
    for svc, path, _ in spies:
        parts = folded(path)
        total = sum(parts.values())
        print(f"  {svc.name}: {total * 1000 / RATE / turns:.1f} ms a turn")
        for name, samples in parts.most_common():
            print(f"    {name:<48} {samples * 1000 / RATE / turns:6.1f} ms  {100 * samples / total:4.0f} %")
    return turns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-offset", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--long", type=int, default=200)
    parser.add_argument("--model", type=Path, default=runner.MODEL)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="signpost-profile-"))
    database_url = seeded_database(work)
    runner.MODEL = args.model
    rasa_port, action_port = OUR_PORTS[0] + args.port_offset, OUR_PORTS[1] + args.port_offset
    svcs = runner.services(rasa_port, action_port, work, {"DATABASE_URL": database_url}, None)
    ours = Bot("ours", f"http://localhost:{rasa_port}/webhooks/rest/webhook", svcs)
    print(f"profiles in {work}", flush=True)
    try:
        runner.start_all(svcs)
        for i in range(18):  # warm up
            ours.turn("warm-up", CONVERSATION[i % len(CONVERSATION)])

        def signposting() -> int:
            for _ in range(args.turns):
                sender = f"profile-{uuid.uuid4().hex[:12]}"
                ours.turn(sender, "hi")
                ours.turn(sender, SIGNPOSTING)
            return args.turns * 2

        def long() -> int:
            sender = f"profile-{uuid.uuid4().hex[:12]}"
            for i in range(args.long):
                ours.turn(sender, CONVERSATION[i % len(CONVERSATION)])
            return args.long

        profiled(svcs, work, "signposting (hi, then a description)", signposting)
        profiled(svcs, work, f"one conversation of {args.long} turns", long)
    finally:
        runner.stop_all(svcs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
