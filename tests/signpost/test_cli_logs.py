"""With LOG_FORMAT=json the command line's result is a JSON log line too (`make run` seeds first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from signpost.config import ROOT


def test_seed_with_json_logs_writes_only_json_objects(tmp_path):
    env = {**os.environ, "LOG_FORMAT": "json", "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "signpost", "seed"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # fails on any line that is not one JSON object
    assert any(r["message"].startswith("seeded: kb_types") for r in records)
