"""Start, watch and stop the assistant's processes (make run, eval, bench, tests).

Every process is restarted if it dies: the action server (the Rasa server keeps
answering with domain responses meanwhile), the web front, and the Rasa server
itself, so one bad request can never leave the service down. A process that
keeps dying is restarted with a growing pause (up to MAX_BACKOFF_S).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from signpost.config import ROOT

logger = logging.getLogger(__name__)

# SIGNPOST_MODEL points the runner (and the servers under test) at another trained model.
MODEL = Path(os.environ.get("SIGNPOST_MODEL") or ROOT / "models" / "signpost.tar.gz")


@dataclass
class Service:
    name: str
    args: list[str]
    health_url: str
    restart: bool = False
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    process: subprocess.Popen | None = None
    log: Path | None = None
    restarts: int = 0
    started_at: float = 0.0

    def start(self) -> None:
        self.started_at = time.monotonic()
        env = {**os.environ, **self.env}
        out = self.log.open("ab") if self.log else None
        self.process = subprocess.Popen(
            self.args, cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT if out else None
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def healthy(url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URLs only
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError):
        return False


def wait_healthy(service: Service, deadline_s: float = 240) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if healthy(service.health_url):
            return
        if service.process is not None and not service.alive():
            raise RuntimeError(f"{service.name} exited with code {service.process.returncode}")
        time.sleep(0.5)
    raise TimeoutError(f"{service.name} not healthy after {deadline_s:.0f}s at {service.health_url}")


def metrics_port(port: int, web: bool = False) -> int:
    """The metrics port that goes with a server's port: 5005, 5055 and 8080 get the defaults
    9005, 9055 and 9080, and the test servers' ports (shifted by SIGNPOST_TEST_PORT_OFFSET)
    shift their metrics ports with them, so two runs can share a machine."""
    return port + (1000 if web else 4000)


def services(
    rasa_port: int = 5005,
    action_port: int = 5055,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
    web_port: int | None = 8080,
    replica_ports: tuple[int, ...] = (),
) -> list[Service]:
    """The action server, the Rasa server (plus a replica on each of `replica_ports`, which
    needs DATABASE_URL and REDIS_URL in `env`) and, unless `web_port` is None, the web front;
    each serves its metrics on `metrics_port` of its own port."""
    action_url = f"http://localhost:{action_port}/webhook"
    common = {
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTION_SERVER_URL": action_url,
        "PYTHONPATH": str(ROOT),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # As in the images: TensorFlow's C++ log (not JSON) keeps to errors, however started.
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        **(env or {}),
    }

    def log(name: str) -> Path | None:
        return log_dir / f"{name}.log" if log_dir else None

    svcs = [
        Service(
            "action server",
            [
                sys.executable, "-m", "signpost.rasa_plugins.serve", "run", "actions", "--actions", "actions",
                "--port", str(action_port),
            ],  # fmt: skip
            f"http://localhost:{action_port}/health",
            restart=True,
            env={**common, "ACTION_METRICS_PORT": str(metrics_port(action_port))},
            log=log("actions"),
        ),
        *(
            Service(
                "Rasa server" if port == rasa_port else f"Rasa replica on {port}",
                [
                    sys.executable, "-m", "signpost.rasa_plugins.serve", "run", "--model", str(MODEL),
                    "--port", str(port), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                ],
                f"http://localhost:{port}/",
                restart=True,
                env={**common, "RASA_METRICS_PORT": str(metrics_port(port))},
                log=log("rasa" if port == rasa_port else f"rasa-{port}"),
            )
            for port in (rasa_port, *replica_ports)
        ),
    ]  # fmt: skip
    if web_port is not None:
        svcs.append(
            Service(
                "web front",
                [sys.executable, "-m", "signpost.web", "--port", str(web_port)],
                f"http://localhost:{web_port}/health",
                restart=True,
                env={**common, "WEB_METRICS_PORT": str(metrics_port(web_port, web=True))},
                log=log("web"),
            )
        )
    return svcs


def start_all(svcs: list[Service]) -> None:
    for svc in svcs:
        svc.start()
    for svc in svcs:
        wait_healthy(svc)


def stop_all(svcs: list[Service]) -> None:
    for svc in reversed(svcs):
        svc.stop()


MAX_BACKOFF_S = 30.0
STABLE_S = 60.0  # a process that ran this long before dying starts again at once


def supervise(svcs: list[Service], stop: threading.Event | None = None, poll_s: float = 1.0) -> None:
    """Restart services marked `restart` when they exit; return on SIGINT/SIGTERM (or `stop`)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    due: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        for svc in svcs:
            if svc.alive() or stop.is_set():
                continue
            if not svc.restart:
                logger.error("%s exited; stopping everything", svc.name)
                stop.set()
                break
            if svc.name not in due:
                svc.restarts = 0 if now - svc.started_at > STABLE_S else svc.restarts + 1
                pause = min(MAX_BACKOFF_S, 0.0 if svc.restarts <= 1 else 2.0 ** (svc.restarts - 1))
                code = svc.process.returncode if svc.process else None
                logger.warning("%s exited (code %s); restarting it in %.0f s", svc.name, code, pause)
                due[svc.name] = now + pause
            if now >= due[svc.name]:
                del due[svc.name]
                svc.start()
        stop.wait(poll_s)


def tree_resident_mb(pid: int) -> float:
    """Resident memory in MB of a process and all its descendants (0 once it has gone)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(proc.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = (Path("/proc") / str(current) / "status").read_text()
        except OSError:
            continue
        total += next((float(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)
    return total


def resident_mb(pattern: str) -> tuple[float, float] | None:
    """(current, peak) resident memory in MB of the process whose command line contains `pattern`."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if pattern not in cmdline:
                continue
            fields = dict(line.split(":", 1) for line in (proc / "status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        return float(fields["VmRSS"].split()[0]) / 1024, float(fields["VmHWM"].split()[0]) / 1024
    return None
