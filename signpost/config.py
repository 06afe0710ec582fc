"""The only module that reads the environment.

Settings come from the process environment, with a `.env` file at the
project root filling in anything not already set (never overriding it).
Everything else receives a `Settings` object or plain values as arguments.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import secrets
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
    # The action server: the shared secret every call from Rasa carries, and where it listens.
    action_server_token: str
    action_server_host: str
    # Proxies whose X-Forwarded-* headers are believed (addresses or networks).
    trusted_proxies: tuple[str, ...]
    # Limits on the public channels (signpost.rasa_plugins.channels): turns of one conversation waiting
    # at once, turns from one client address per minute, turns in flight in one process.
    turns_waiting_per_conversation: int
    turns_per_address_per_minute: int
    turns_in_flight: int
    # Action-server breaker: consecutive failures (from different conversations) that open it.
    breaker_failures: int
    # SMS: replies to one number per day; handoffs per conversation and per address per hour.
    sms_daily_replies: int
    # SMS loop guard: the same text this many times in a row, or more texts than this in a
    # minute, and a number gets no replies for sms_loop_quiet (red flags are still answered).
    sms_loop_repeats: int
    sms_loop_per_minute: int
    sms_loop_quiet: dt.timedelta
    handoffs_per_conversation_per_hour: int
    handoffs_per_address_per_hour: int
    # Keys the staff sign-in lockout's counters (HMAC), so the table cannot be reversed.
    staff_secret: str
    # Keys the pseudonyms of client addresses that the channels pass on for counting.
    client_secret: str
    # Live handoff: the web front's calls to the Rasa server's helpline bridge
    # (signpost.rasa_plugins.channels.helpline), and the provider's Messages API for SMS replies.
    helpline_bridge_url: str
    helpline_bridge_token: str
    twilio_account_sid: str | None
    twilio_api_base: str
    sms_from_number: str | None
    # Key (Fernet) for the phone numbers of people who agreed to be texted back.
    sms_number_key: str
    # Log lines as text or as one JSON object per line (signpost.logs).
    log_format: str
    # Prometheus metrics (signpost.metrics): the address each process serves /metrics on,
    # and one port per process (0: no metrics from that process).
    metrics_host: str
    rasa_metrics_port: int
    action_metrics_port: int
    web_metrics_port: int

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


def installation_secret(name: str, directory: Path = VAR_DIR) -> str:
    """A random secret generated once for this installation into var/NAME (mode 0600).

    Used where the environment sets no secret, so a single machine works out of the
    box; several machines or replicas must share the value through the environment.
    """
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic, and fails if another process made it first: then theirs is used
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _networks(value: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks; ValueError for anything else."""
    items = tuple(v.strip() for v in value.split(",") if v.strip())
    for item in items:
        ipaddress.ip_network(item, strict=False)
    return items


def _positive_int(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    value = int(env.get(name) or default)
    if value < 1:
        raise ValueError(f"{name} must be a positive whole number, not {value}")
    return value


DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
LOG_FORMATS = ("text", "json")
# The metrics ports when nothing else is set (the deployment's scrape settings rely on them).
RASA_METRICS_PORT, ACTION_METRICS_PORT, WEB_METRICS_PORT = 9005, 9055, 9080


def _log_format(value: str) -> str:
    if value.lower() not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return value.lower()


def _port(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    """A TCP port from the environment; 0 means "none"."""
    value = int(env.get(name) or default)
    if not 0 <= value <= 65535:
        raise ValueError(f"{name} must be a port number (0 for none), not {value}")
    return value


def _fernet_key(secret: str) -> str:
    """A Fernet key (32 bytes, urlsafe base64) from an installation secret's hex."""
    import base64

    return base64.urlsafe_b64encode(bytes.fromhex(secret)[:32]).decode()


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
        action_server_token=env.get("ACTION_SERVER_TOKEN") or installation_secret("action_server_token"),
        action_server_host=env.get("ACTION_SERVER_HOST") or "127.0.0.1",
        trusted_proxies=_networks(env.get("TRUSTED_PROXIES") or DEFAULT_TRUSTED_PROXIES),
        turns_waiting_per_conversation=_positive_int(env, "TURNS_WAITING_PER_CONVERSATION", 3),
        turns_per_address_per_minute=_positive_int(env, "TURNS_PER_ADDRESS_PER_MINUTE", 6000),
        turns_in_flight=_positive_int(env, "TURNS_IN_FLIGHT", 200),
        breaker_failures=_positive_int(env, "BREAKER_FAILURES", 5),
        sms_daily_replies=_positive_int(env, "SMS_DAILY_REPLIES", 200),
        sms_loop_repeats=_positive_int(env, "SMS_LOOP_REPEATS", 5),
        sms_loop_per_minute=_positive_int(env, "SMS_LOOP_PER_MINUTE", 60),
        sms_loop_quiet=parse_duration(env.get("SMS_LOOP_QUIET") or "1h"),
        handoffs_per_conversation_per_hour=_positive_int(env, "HANDOFFS_PER_CONVERSATION_PER_HOUR", 5),
        handoffs_per_address_per_hour=_positive_int(env, "HANDOFFS_PER_ADDRESS_PER_HOUR", 200),
        staff_secret=env.get("STAFF_SECRET") or installation_secret("staff_secret"),
        client_secret=env.get("CLIENT_ID_SECRET") or installation_secret("client_id_secret"),
        helpline_bridge_url=(env.get("HELPLINE_BRIDGE_URL") or env.get("RASA_URL") or "http://localhost:5005").rstrip(
            "/"
        ),
        helpline_bridge_token=env.get("HELPLINE_BRIDGE_TOKEN") or installation_secret("helpline_bridge_token"),
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_api_base=(env.get("TWILIO_API_BASE") or "https://api.twilio.com").rstrip("/"),
        sms_from_number=env.get("SMS_FROM_NUMBER") or None,
        sms_number_key=env.get("SMS_NUMBER_KEY") or _fernet_key(installation_secret("sms_number_key")),
        log_format=_log_format(env.get("LOG_FORMAT") or "text"),
        metrics_host=env.get("METRICS_HOST") or "127.0.0.1",
        rasa_metrics_port=_port(env, "RASA_METRICS_PORT", RASA_METRICS_PORT),
        action_metrics_port=_port(env, "ACTION_METRICS_PORT", ACTION_METRICS_PORT),
        web_metrics_port=_port(env, "WEB_METRICS_PORT", WEB_METRICS_PORT),
    )
