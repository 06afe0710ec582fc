"""The process supervisor behind `make run`: every process that dies is started again."""

from __future__ import annotations

import sys
import threading
import time

from scripts.runner import Service, supervise

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_a_dead_process_is_restarted_and_the_others_keep_running():
    rasa = Service("Rasa server", SLEEPER, "http://unused/", restart=True)
    web = Service("web front", SLEEPER, "http://unused/", restart=True)
    stop = threading.Event()
    for svc in (rasa, web):
        svc.start()
    watcher = threading.Thread(target=supervise, args=([rasa, web], stop, 0.05))
    watcher.start()
    try:
        first = rasa.process
        assert first is not None
        first.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (rasa.process is first or not rasa.alive()):
            time.sleep(0.05)
        assert rasa.alive() and rasa.process is not first
        assert web.alive() and not stop.is_set()
    finally:
        stop.set()
        watcher.join(5)
        for svc in (rasa, web):
            svc.stop()


def test_a_process_that_keeps_dying_is_restarted_with_a_growing_pause():
    crasher = Service("crasher", [sys.executable, "-c", "raise SystemExit(3)"], "http://unused/", restart=True)
    stop = threading.Event()
    crasher.start()
    watcher = threading.Thread(target=supervise, args=([crasher], stop, 0.05))
    watcher.start()
    time.sleep(3)
    stop.set()
    watcher.join(5)
    # Pauses of 0, 0, 2 s...: a few starts in 3 s, not dozens.
    assert 2 <= crasher.restarts <= 4
