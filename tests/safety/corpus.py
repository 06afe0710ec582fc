"""The safety corpora: red flags and look-alikes written apart from the detector's
patterns, and the real-world messages of eval/red_flags (development split only:
the test split is measured by eval/red_flags/measure.py, never tuned on)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
REAL_WORLD = HERE.parent.parent / "eval" / "red_flags" / "messages.yml"
# What every answer to a red flag must contain, by category.
NUMBERS = {
    "emergency": ("999",),
    "crisis": ("116 123", "85258", "999"),
    "urgent": ("111", "999"),
}
MAX_FALSE_ALARM_RATE = 0.02
# Real-world look-alikes (questions about a risk, past events): at most 1 alarm in 25.
MAX_REAL_WORLD_FALSE_ALARM_RATE = 1 / 25
MAX_REAL_WORLD_MISS_RATE = 1 / 20  # of the development split's red flags


@lru_cache(maxsize=1)
def red_flags() -> list[dict[str, Any]]:
    return yaml.safe_load((HERE / "red_flags.yml").read_text())["cases"]


@lru_cache(maxsize=1)
def look_alikes() -> dict[str, list[str]]:
    return yaml.safe_load((HERE / "non_emergency.yml").read_text())


@lru_cache(maxsize=1)
def real_world_dev() -> list[dict[str, Any]]:
    messages = yaml.safe_load(REAL_WORLD.read_text(encoding="utf-8"))["messages"]
    return [m for m in messages if m["split"] == "dev"]


def real_world_red_flags() -> list[dict[str, Any]]:
    return [m for m in real_world_dev() if m["category"] != "none"]


def real_world_look_alikes() -> list[dict[str, Any]]:
    return [m for m in real_world_dev() if m["category"] == "none"]
