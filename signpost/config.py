"""The only module that reads the environment.

Settings come from the process environment, with a `.env` file at the
project root filling in anything not already set (never overriding it).
Everything else receives a `Settings` object or plain values as arguments.
"""

from __future__ import annotations

import os
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


DEFAULT_WEB_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"


def _origins(value: str) -> tuple[str, ...]:
    """Comma-separated origins (scheme://host[:port]), without trailing slashes."""
    return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())


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
    )
