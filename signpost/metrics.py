"""Prometheus metrics, one registry per process, each served on its own internal port.

- the Rasa server, port 9005 (`RASA_METRICS_PORT`): turns by channel and outcome, turn
  latency, red flags by category, fallbacks, action-server failures and the breaker's
  state, SMS segments sent;
- the action server, port 9055 (`ACTION_METRICS_PORT`): custom action calls by action and
  outcome, and their latency;
- the web front, port 9080 (`WEB_METRICS_PORT`): requests by route and status, and the
  handoffs waiting in the helpline queue (counted in the database at each scrape).

Each is served at `http://METRICS_HOST:PORT/metrics` (loopback unless set) by
prometheus-client's own HTTP server on a thread of the process, never on the public
port, so the Ingress cannot route it. A port of 0 turns that process's metrics off.

Labels only ever take values from small fixed sets (the channel names, the outcomes,
the red-flag categories, the actions the server registered, the web front's route
patterns): never message text, ids or addresses. Anything else becomes "other".
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Collection, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Enum, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from signpost.dialogue import RED_FLAG_CATEGORIES

logger = logging.getLogger(__name__)

OTHER = "other"
CHANNELS = ("rest", "sms", "socketio")
TURN_OUTCOMES = ("answered", "refused", "failed")
FALLBACK_KINDS = ("nlu", "core")
ACTION_FAILURE_REASONS = ("timeout", "error", "breaker_open")
BREAKER_STATES = ("closed", "open", "half-open")
HANDOFF_REASONS = ("asked_for_person", "red_flag")
# Seconds: a turn takes about 0.1 s on its own and the action server's timeout is 3 s.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)


def one_of(value: Any, allowed: Collection[str]) -> str:
    """`value` if it is one of `allowed`, else "other": a label never takes arbitrary text."""
    return value if isinstance(value, str) and value in allowed else OTHER


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)  # memory, CPU, open files of this process
    return registry


# The Rasa server.
RASA = _registry()
TURNS = Counter(
    "signpost_turns", "Turns on the public channels, by channel and outcome.", ["channel", "outcome"], registry=RASA
)
TURN_SECONDS = Histogram(
    "signpost_turn_seconds",
    "Time from a turn's start to Rasa's last reply, by channel (turns that ran).",
    ["channel"],
    buckets=LATENCY_BUCKETS,
    registry=RASA,
)
RED_FLAGS = Counter("signpost_red_flags", "Red-flag answers given, by category.", ["category"], registry=RASA)
FALLBACKS = Counter(
    "signpost_fallbacks",
    "Turns not understood: nlu (low NLU confidence) or core (no confident next action).",
    ["kind"],
    registry=RASA,
)
ACTION_FAILURES = Counter(
    "signpost_action_server_failures",
    "Custom action calls from the Rasa server answered with the apology instead, by reason.",
    ["reason"],
    registry=RASA,
)
LOCAL_ACTIONS = Counter(
    "signpost_local_action_calls",
    "Custom actions the Rasa server ran itself (signpost.rasa_plugins.local_actions), by action and"
    " outcome (error: handed to the action server instead).",
    ["action", "outcome"],
    registry=RASA,
)
BREAKER = Enum(
    "signpost_action_server_breaker",
    "The Rasa server's circuit breaker for the action server.",
    states=list(BREAKER_STATES),
    registry=RASA,
)
SMS_SEGMENTS = Counter(
    "signpost_sms_segments_sent", "SMS segments sent in replies (153 characters each).", registry=RASA
)

# The action server.
ACTIONS = _registry()
ACTION_CALLS = Counter(
    "signpost_action_calls",
    "Custom action calls the action server answered, by action and outcome.",
    ["action", "outcome"],
    registry=ACTIONS,
)
ACTION_SECONDS = Histogram(
    "signpost_action_seconds",
    "Time the action server took to answer a custom action call, by action.",
    ["action"],
    buckets=LATENCY_BUCKETS,
    registry=ACTIONS,
)

# The web front.
WEB = _registry()
WEB_REQUESTS = Counter(
    "signpost_web_requests", "Requests the web front answered, by route and status.", ["route", "status"], registry=WEB
)


def count_turn(channel: Any, outcome: str, seconds: float | None = None) -> None:
    """One turn on a public channel; `seconds` for a turn that ran."""
    label = one_of(channel, CHANNELS)
    TURNS.labels(label, one_of(outcome, TURN_OUTCOMES)).inc()
    if seconds is not None:
        TURN_SECONDS.labels(label).observe(seconds)


def count_red_flag(category: Any) -> None:
    RED_FLAGS.labels(one_of(category, RED_FLAG_CATEGORIES)).inc()


def count_fallback(kind: str) -> None:
    FALLBACKS.labels(one_of(kind, FALLBACK_KINDS)).inc()


def count_action_failure(reason: str) -> None:
    ACTION_FAILURES.labels(one_of(reason, ACTION_FAILURE_REASONS)).inc()


def count_local_action(action: str, outcome: str) -> None:
    LOCAL_ACTIONS.labels(action, one_of(outcome, ("ok", "error"))).inc()


def breaker_state(state: str) -> None:
    BREAKER.state(state if state in BREAKER_STATES else "closed")


def count_sms_segments(segments: int) -> None:
    SMS_SEGMENTS.inc(segments)


def action_outcome(status: int) -> str:
    """The outcome of an action call from the action server's HTTP status."""
    return {200: "ok", 400: "rejected", 401: "unauthorised", 404: "not_found"}.get(status, "error")


def count_action_call(action: Any, known: Collection[str], status: int, seconds: float) -> None:
    label = one_of(action, known)
    ACTION_CALLS.labels(label, action_outcome(status)).inc()
    ACTION_SECONDS.labels(label).observe(seconds)


def count_web_request(route: str | None, status: int) -> None:
    """`route` is the route's pattern (e.g. "/staff/api/queue/{code}"), None when none matched."""
    WEB_REQUESTS.labels(route or "unmatched", str(status) if 100 <= status <= 599 else OTHER).inc()


class HandoffsWaiting(Collector):
    """`signpost_handoffs_waiting{reason}`: helpline queue entries not yet handled, counted
    in the database at each scrape (so every replica and process agrees)."""

    def __init__(self, count: Callable[[], Mapping[str, int]]) -> None:
        self.count = count

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "signpost_handoffs_waiting", "Helpline queue entries not yet handled, by reason.", labels=["reason"]
        )
        try:
            counts = self.count()
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail with the database
            logger.warning("could not count the waiting handoffs (%s)", type(exc).__name__)
            return
        totals = dict.fromkeys(HANDOFF_REASONS, 0)
        for reason, number in counts.items():
            key = one_of(reason, HANDOFF_REASONS)
            totals[key] = totals.get(key, 0) + number
        for reason, number in totals.items():
            family.add_metric([reason], number)
        yield family


def serve(registry: CollectorRegistry, host: str, port: int) -> bool:
    """Serve `registry` at http://host:port/metrics on a daemon thread; False if not served.

    A port that is taken is logged, not raised: the service matters more than its metrics.
    """
    if not port:
        return False
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        logger.error("metrics not served on %s:%d (%s)", host, port, type(exc).__name__)
        return False
    logger.info("metrics on http://%s:%d/metrics", host, port)
    return True
