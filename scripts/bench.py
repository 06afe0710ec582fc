"""`make bench`: this assistant side by side with the bot `rasa init` creates, in one run.

Both bots are started here on ports of their own (ours from 5305, the starter from 5205,
each shifted by --port-offset, so a bench can run beside `make run` and the test servers),
ours on a freshly seeded SQLite database. Requests alternate between the two bots, so
whatever else the machine is doing slows both alike. Printed, each with the ratio:

- sequential REST turns (9-turn conversations), p50 and p95;
- a signposting turn against a "hello" turn of our bot (domain response only);
- 20 conversations at once, closed loop (the next message as soon as the answer
  arrives), in alternating blocks per bot: turns/s, p95, errors;
- turn 10 against turn 200 of one long conversation (medians of turns 6-15 and 191-200);
- resident memory of the Rasa server and the action server of each bot.

    python -m scripts.bench [--port-offset 0] [--turns 200] [--concurrency 20]
                            [--starter DIR] [--model PATH] [--train]

The starter bot is made with `rasa init --no-prompt` in a temporary folder (trained there,
never committed); `--starter DIR` keeps it in DIR and reuses it on the next run.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from scripts import runner
from scripts.rest import send
from signpost.knowledge.content import load_content
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.storage.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
OUR_PORTS, STARTER_PORTS = (5305, 5355), (5205, 5255)
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
HELLO = "hello"
SIGNPOSTING = "my head keeps pulling to the left and my neck aches"


@dataclass
class Bot:
    name: str
    webhook: str
    svcs: list[runner.Service] = field(default_factory=list)

    def turn(self, sender: str, message: str) -> tuple[float, bool]:
        """(milliseconds, ok) for one message; ok is False for an error status or no reply."""
        started = time.perf_counter()
        try:
            ok = bool(send(sender, message, webhook=self.webhook))
        except (urllib.error.URLError, OSError):
            ok = False
        return (time.perf_counter() - started) * 1000, ok

    def memory_mb(self) -> dict[str, float]:
        return {s.name: runner.tree_resident_mb(s.process.pid) for s in self.svcs if s.process}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def sender_id(bot: Bot) -> str:
    return f"bench-{bot.name}-{uuid.uuid4().hex[:12]}"


def conversation(bot: Bot, turns: int) -> tuple[list[float], int]:
    """`turns` turns as a series of whole 9-turn conversations; (timings, errors)."""
    timings, errors, sender = [], 0, ""
    for i in range(turns):
        if i % len(CONVERSATION) == 0:
            sender = sender_id(bot)
        ms, ok = bot.turn(sender, CONVERSATION[i % len(CONVERSATION)])
        timings.append(ms)
        errors += not ok
    return timings, errors


def alternate(bots: list[Bot], step: Callable[[Bot, int], float], count: int) -> dict[str, list[float]]:
    """`step(bot, i)` for i in range(count), alternating between the bots each time."""
    out: dict[str, list[float]] = {b.name: [] for b in bots}
    for i in range(count):
        for bot in bots if i % 2 == 0 else bots[::-1]:
            out[bot.name].append(step(bot, i))
    return out


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs else "-"


def row(label: str, ours: str, theirs: str, r: str) -> None:
    print(f"  {label:<44} {ours:>18} {theirs:>18} {r:>8}")


def sequential(ours: Bot, starter: Bot, turns: int) -> None:
    senders: dict[str, str] = {}

    def step(bot: Bot, i: int) -> float:
        if i % len(CONVERSATION) == 0:
            senders[bot.name] = sender_id(bot)
        return bot.turn(senders[bot.name], CONVERSATION[i % len(CONVERSATION)])[0]

    t = alternate([ours, starter], step, turns)
    quantile_rows(f"sequential REST turn ({turns} turns)", t[ours.name], t[starter.name])


def quantile_rows(label: str, a: list[float], b: list[float]) -> None:
    """Rows for the p50 and p95 of two sets of timings, and their ratios."""
    for name, q in (("p50", 50.0), ("p95", 95.0)):
        ours, theirs = percentile(a, q), percentile(b, q)
        row(f"{label}, {name}", f"{ours:.0f} ms", f"{theirs:.0f} ms", ratio(ours, theirs))


def by_message(ours: Bot, reps: int) -> None:
    """A signposting description against "hello", both as the second turn of a fresh conversation."""
    hello: list[float] = []
    signposting: list[float] = []
    for i in range(reps):
        sender = sender_id(ours)
        ours.turn(sender, "hi")
        first, second = (HELLO, SIGNPOSTING) if i % 2 == 0 else (SIGNPOSTING, HELLO)
        for message in (first, second):
            (hello if message == HELLO else signposting).append(ours.turn(sender, message)[0])
    print("  (next two rows: this assistant's signposting turn | its hello turn)")
    quantile_rows(f"signposting vs hello ({reps} each)", signposting, hello)


@dataclass
class Load:
    timings: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0


def closed_loop(bot: Bot, concurrency: int, turns: int, load: Load) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        done = list(pool.map(lambda _: conversation(bot, turns), range(concurrency)))
    load.wall_s += time.perf_counter() - started
    load.timings += [t for timings, _ in done for t in timings]
    load.errors += sum(e for _, e in done)


def concurrent(ours: Bot, starter: Bot, concurrency: int, turns_each: int, blocks: int) -> None:
    """Closed loop, `concurrency` conversations at once, in blocks alternating between the bots
    (ours, starter, starter, ours, ...) so that drift in the machine's load hits both."""
    loads = {ours.name: Load(), starter.name: Load()}
    for block in range(blocks * 2):
        bot = (ours, starter)[(block + block // 2) % 2]
        closed_loop(bot, concurrency, max(1, turns_each // blocks), loads[bot.name])
    a, b = loads[ours.name], loads[starter.name]
    a_tps, b_tps = len(a.timings) / a.wall_s, len(b.timings) / b.wall_s
    row(
        f"{concurrency} concurrent, closed loop ({len(a.timings)} turns): turns/s",
        f"{a_tps:.1f}",
        f"{b_tps:.1f}",
        ratio(a_tps, b_tps),
    )
    a_p95, b_p95 = percentile(a.timings, 95), percentile(b.timings, 95)
    row(f"{concurrency} concurrent: p95", f"{a_p95:.0f} ms", f"{b_p95:.0f} ms", ratio(a_p95, b_p95))
    row(
        f"{concurrency} concurrent: errors",
        f"{100 * a.errors / len(a.timings):.2f} %",
        f"{100 * b.errors / len(b.timings):.2f} %",
        "",
    )


def long_conversation(ours: Bot, starter: Bot, turns: int) -> None:
    senders = {ours.name: sender_id(ours), starter.name: sender_id(starter)}

    def step(bot: Bot, i: int) -> float:
        return bot.turn(senders[bot.name], CONVERSATION[i % len(CONVERSATION)])[0]

    t = alternate([ours, starter], step, turns)
    figures = {}
    for bot in (ours, starter):
        early, late = statistics.median(t[bot.name][5:15]), statistics.median(t[bot.name][-10:])
        figures[bot.name] = (f"{early:.0f} -> {late:.0f} ms", ratio(late, early))
    row(f"turn 10 -> turn {turns} of one conversation", figures[ours.name][0], figures[starter.name][0], "")
    row(f"  turn {turns} / turn 10", figures[ours.name][1], figures[starter.name][1], "")


def seeded_database(folder: Path) -> str:
    """The URL of a freshly seeded SQLite database in `folder`."""
    database_url = f"sqlite:///{folder / 'signpost.db'}"
    engine = make_engine(database_url)
    create_schema(engine)
    seed(engine, load_content())
    engine.dispose()
    return database_url


def make_starter(folder: Path | None) -> Path:
    """A trained `rasa init` bot in `folder` (or a temporary one), made if not there yet."""
    bot = folder or Path(tempfile.mkdtemp(prefix="signpost-bench-starter-"))
    if not list(bot.glob("models/*.tar.gz")):
        bot.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run(
            [runner.bin_path("rasa"), "init", "--no-prompt", "--init-dir", str(bot)],
            cwd=bot,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        )
        print(f"starter bot made and trained in {bot} ({time.perf_counter() - started:.0f} s)", flush=True)
    return bot


def starter_services(bot: Path, rasa_port: int, action_port: int, log_dir: Path) -> list[runner.Service]:
    env = {"RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(bot)}
    return [
        runner.Service(
            "starter action server",
            [runner.bin_path("rasa"), "run", "actions", "--port", str(action_port)],
            f"http://localhost:{action_port}/health",
            env=env,
            cwd=bot,
            log=log_dir / "starter-actions.log",
        ),
        runner.Service(
            "starter Rasa server",
            [
                runner.bin_path("rasa"),
                "run",
                "--model",
                "models",
                "--port",
                str(rasa_port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            f"http://localhost:{rasa_port}/",
            env=env,
            cwd=bot,
            log=log_dir / "starter-rasa.log",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-offset", type=int, default=0)
    parser.add_argument("--turns", type=int, default=200, help="sequential turns, and the long conversation's length")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--concurrent-turns", type=int, default=30, help="turns per concurrent conversation per bot")
    parser.add_argument("--reps", type=int, default=30, help="signposting and hello turns measured")
    parser.add_argument("--starter", type=Path, help="folder for the `rasa init` bot, kept and reused")
    parser.add_argument("--model", type=Path, default=runner.MODEL, help="our trained model")
    parser.add_argument("--train", action="store_true", help="also time `rasa train --force` of our bot")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="signpost-bench-"))
    database_url = seeded_database(work)
    starter_dir = make_starter(args.starter)
    runner.MODEL = args.model
    off = args.port_offset
    ours = Bot("ours", f"http://localhost:{OUR_PORTS[0] + off}/webhooks/rest/webhook")
    starter = Bot("starter", f"http://localhost:{STARTER_PORTS[0] + off}/webhooks/rest/webhook")
    ours.svcs = runner.services(OUR_PORTS[0] + off, OUR_PORTS[1] + off, work, {"DATABASE_URL": database_url}, None)
    starter.svcs = starter_services(starter_dir, STARTER_PORTS[0] + off, STARTER_PORTS[1] + off, work)
    for svc in ours.svcs:  # not restarted here: a crash must show in the figures
        svc.restart = False
    print(f"starting both bots (logs in {work})...", flush=True)
    try:
        runner.start_all(ours.svcs + starter.svcs)
        for bot in (ours, starter):  # warm up
            conversation(bot, len(CONVERSATION) * 2)
        print(f"\n  {'figure':<44} {'this assistant':>18} {'rasa init bot':>18} {'ratio':>8}")
        sequential(ours, starter, args.turns)
        by_message(ours, args.reps)
        concurrent(ours, starter, args.concurrency, args.concurrent_turns, 2)
        long_conversation(ours, starter, args.turns)
        a, b = ours.memory_mb(), starter.memory_mb()
        row(
            "memory, Rasa + action server (RSS)",
            f"{sum(a.values()):.0f} MB",
            f"{sum(b.values()):.0f} MB",
            ratio(sum(a.values()), sum(b.values())),
        )
        print("  (" + ", ".join(f"{k} {v:.0f} MB" for k, v in {**a, **b}.items()) + ")")
    finally:
        runner.stop_all(ours.svcs + starter.svcs)

    if args.train:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "rasa", "train", "--force", "--out", out],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            print(f"training time (rasa train --force, NLU and dialogue): {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
