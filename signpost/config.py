"""The only module that reads the environment.

Settings come from the process environment, with a `.env` file at the
project root filling in anything not already set (never overriding it).
Everything else receives a `Settings` object or plain values as arguments.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
KNOWLEDGE_DIR = DATA_DIR / "knowledge"
BUILD_DIR = ROOT / "build"
VAR_DIR = ROOT / "var"
DEFAULT_SPACY_MODEL = BUILD_DIR / "spacy" / "signpost_en"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    redis_key_prefix: str
    spacy_model: str
    action_server_url: str
    rasa_url: str
    log_level: str
    action_timeout_s: float
    action_circuit_open_s: float
    twilio_auth_token: str | None
    sms_public_url: str | None
    sms_id_secret: str | None
    web_allowed_origins: tuple[str, ...]
    web_url: str
    retention: dt.timedelta

    @property
    def privacy_url(self) -> str:
        return f"{self.web_url}/privacy"


DEFAULT_WEB_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"


def _origins(value: str) -> tuple[str, ...]:
    """Comma-separated origins (scheme://host[:port]), without trailing slashes."""
    return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())


DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}


def parse_duration(value: str) -> dt.timedelta:
    """'30d', '12h' or '2w' as a timedelta; ValueError for anything else."""
    match = DURATION.match(value.lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not a duration like 30d, 12h or 2w: {value!r}")
    return dt.timedelta(hours=int(match.group(1)) * UNIT_HOURS[match.group(2)])


def describe_duration(duration: dt.timedelta) -> str:
    """'30 days', '1 day' or '12 hours', for people to read."""
    hours = int(duration.total_seconds() // 3600)
    number, unit = (hours // 24, "day") if hours % 24 == 0 else (hours, "hour")
    return f"{number} {unit}{'' if number == 1 else 's'}"


def _key_prefix(value: str) -> str:
    """Rasa's Redis lock store ignores a prefix that is not letters and digits; refuse it instead."""
    if not value.isalnum():
        raise ValueError(f"REDIS_KEY_PREFIX must be letters and digits only, not {value!r}")
    return value


def _sqlite_default() -> str:
    return f"sqlite:///{VAR_DIR / 'signpost.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read settings once per process; `.env` never overrides the environment."""
    load_dotenv(ROOT / ".env", override=False)
    env = os.environ
    return Settings(
        database_url=env.get("DATABASE_URL") or _sqlite_default(),
        redis_url=env.get("REDIS_URL") or None,
        redis_key_prefix=_key_prefix(env.get("REDIS_KEY_PREFIX") or "signpost"),
        spacy_model=env.get("SPACY_MODEL") or str(DEFAULT_SPACY_MODEL),
        action_server_url=env.get("ACTION_SERVER_URL", "http://localhost:5055/webhook"),
        rasa_url=env.get("RASA_URL", "http://localhost:5005"),
        log_level=env.get("LOG_LEVEL", "INFO"),
        action_timeout_s=float(env.get("ACTION_TIMEOUT_S", "3")),
        action_circuit_open_s=float(env.get("ACTION_CIRCUIT_OPEN_S", "10")),
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        sms_public_url=env.get("SMS_PUBLIC_URL") or None,
        sms_id_secret=env.get("SMS_ID_SECRET") or None,
        web_allowed_origins=_origins(env.get("WEB_ALLOWED_ORIGINS", DEFAULT_WEB_ORIGINS)),
        web_url=(env.get("WEB_URL") or "http://localhost:8080").rstrip("/"),
        retention=parse_duration(env.get("RETENTION") or "30d"),
    )
