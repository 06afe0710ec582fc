"""The safety corpus (red flags and look-alikes), written apart from the detector's patterns."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
# What every answer to a red flag must contain, by category.
NUMBERS = {
    "emergency": ("999",),
    "crisis": ("116 123", "85258", "999"),
    "urgent": ("111", "999"),
}
MAX_FALSE_ALARM_RATE = 0.02


@lru_cache(maxsize=1)
def red_flags() -> list[dict[str, Any]]:
    return yaml.safe_load((HERE / "red_flags.yml").read_text())["cases"]


@lru_cache(maxsize=1)
def look_alikes() -> dict[str, list[str]]:
    return yaml.safe_load((HERE / "non_emergency.yml").read_text())
