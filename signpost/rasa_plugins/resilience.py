"""Keep the Rasa server answering when the action server is down or slow.

Rasa waits up to five minutes for a custom action and, if the call fails,
sends nothing. `guarded` wraps Rasa's RemoteAction.run so that a call that fails
or takes longer than ACTION_TIMEOUT_S (default 3 s) is answered with the domain
response `utter_service_problem` (helpline and 999) instead, and a turn never
gets the apology twice. A breaker (`Breaker`) opens after failures from
BREAKER_FAILURES different conversations in a row, fails fast for
ACTION_CIRCUIT_OPEN_S, then probes with one call before closing. Every call
carries the action server's shared secret (ACTION_SERVER_TOKEN).

The metrics (signpost.metrics) count each call answered with the apology by reason
(timeout, error, breaker_open) and show the breaker's state.

Red flags never reach this path: signpost.rasa_plugins.safety_policy.SafetyPolicy answers them with
domain responses.

`NoFallbackTrackerStore` takes the place of the in-memory fallback Rasa puts behind
every tracker store (FailSafeTrackerStore). With it, a database outage silently starts every
conversation afresh and keeps its new events only in that process's memory,
to be lost later. Without it the turn fails, the channel answers with the
helpline and 999 (signpost.rasa_plugins.channels), and nothing is acknowledged that was not
stored.

`validate_with_schema_checked_once` checks each action server reply against its schema
with a validator built once: Rasa 3.6 calls `jsonschema.validate`, which first checks the
schema itself against the JSON Schema meta-schema on every call, 22 ms of CPU a custom
action here (0.3 ms once built; docs/performance.md). Replies are checked just the same.

signpost.rasa_plugins.patches puts these in Rasa's place; `configure` sets the timeout,
the breaker and the token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Iterable, List, Optional

from rasa.core.actions.action import RemoteAction, create_bot_utterance
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from signpost import metrics

logger = logging.getLogger(__name__)

APOLOGY = "utter_service_problem"


class Breaker:
    """The action server's circuit breaker, shared by every conversation of this process.

    It opens only on a run of failures from `failures_to_open` different
    conversations with no success between them, so one slow conversation (whose
    own calls keep timing out) cannot silence the others. Once open, calls fail
    fast for `open_for_s`; then one call is let through as a probe (half-open):
    success closes the breaker, failure opens it again.
    """

    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"

    def __init__(
        self,
        timeout_s: float = 3.0,
        open_for_s: float = 10.0,
        failures_to_open: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout_s = timeout_s
        self.open_for_s = open_for_s
        self.failures_to_open = failures_to_open
        self.clock = clock
        self.state = self.CLOSED
        self.open_until = 0.0
        self.failing: set[str] = set()  # conversations in the current run of failures
        self.probe_started = 0.0
        self.apologised_for: dict[str, str] = {}  # sender -> message id already answered

    def allow(self) -> bool:
        """Whether a call may go to the action server now (a half-open breaker lets one through)."""
        now = self.clock()
        if self.state == self.OPEN and now >= self.open_until:
            self.state, self.probe_started = self.HALF_OPEN, now
            return True
        if self.state == self.HALF_OPEN and now - self.probe_started > self.timeout_s + 1:
            self.probe_started = now  # the probe never reported back: let another through
            return True
        return self.state == self.CLOSED

    def succeeded(self) -> None:
        self.state, self.failing = self.CLOSED, set()

    def failed(self, conversation_id: str) -> None:
        if self.state == self.HALF_OPEN:
            self._open()
            return
        self.failing.add(conversation_id)
        if len(self.failing) >= self.failures_to_open:
            self._open()

    def _open(self) -> None:
        self.state, self.open_until, self.failing = self.OPEN, self.clock() + self.open_for_s, set()
        logger.error("action server breaker open for %.0f s", self.open_for_s)


_breaker = Breaker()
_token: Optional[str] = None


def _turn_key(tracker: Any) -> str:
    message = getattr(tracker, "latest_message", None)
    return str(getattr(message, "message_id", None) or getattr(message, "text", ""))


async def _apology(tracker: Any, nlg: Any, output_channel: Any) -> List[Event]:
    """The apology, once per user message."""
    key = _turn_key(tracker)
    if _breaker.apologised_for.get(tracker.sender_id) == key:
        return []
    _breaker.apologised_for[tracker.sender_id] = key
    if len(_breaker.apologised_for) > 10_000:
        _breaker.apologised_for.clear()
    message = await nlg.generate(APOLOGY, tracker, output_channel.name())
    if not message:
        return []
    message["utter_action"] = APOLOGY
    return [create_bot_utterance(message)]


def _authorise(action: RemoteAction) -> None:
    """Every call to the action server carries the shared secret (signpost.rasa_plugins.serve checks it)."""
    endpoint = action.action_endpoint
    if _token and endpoint is not None:
        wanted = f"Bearer {_token}"
        if (endpoint.headers or {}).get("Authorization") != wanted:
            endpoint.headers = {**(endpoint.headers or {}), "Authorization": wanted}


def guarded(run: Callable[..., Awaitable[List[Event]]]) -> Callable[..., Awaitable[List[Event]]]:
    async def run_guarded(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        allowed = _breaker.allow()
        metrics.breaker_state(_breaker.state)
        if not allowed:
            metrics.count_action_failure("breaker_open")
            return await _apology(tracker, nlg, output_channel)
        _authorise(self)
        try:
            events = await asyncio.wait_for(run(self, output_channel, nlg, tracker, domain), _breaker.timeout_s)
        except Exception as exc:  # noqa: BLE001 - any failure of the remote call gets the same answer
            logger.error("custom action %s failed (%s); answering with %s", self.name(), type(exc).__name__, APOLOGY)
            metrics.count_action_failure("timeout" if isinstance(exc, asyncio.TimeoutError) else "error")
            _breaker.failed(tracker.sender_id)
            metrics.breaker_state(_breaker.state)
            return await _apology(tracker, nlg, output_channel)
        _breaker.succeeded()
        metrics.breaker_state(_breaker.state)
        return events

    run_guarded.__wrapped__ = run  # type: ignore[attr-defined]
    return run_guarded


class NoFallbackTrackerStore(FailSafeTrackerStore):
    """Rasa's tracker store wrapper without the fallback: errors reach the channel."""

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await self._tracker_store.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self._tracker_store.keys()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._tracker_store.save(tracker)


def validate_with_schema_checked_once() -> Callable[[RemoteAction, Any], bool]:
    """Rasa 3.6's `RemoteAction._validate_action_result` with the reply schema checked once."""
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def validate_action_result(self: RemoteAction, result: Any) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the"
            f" Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    return validate_action_result


def configure(timeout_s: float, open_for_s: float, failures_to_open: int = 5, token: Optional[str] = None) -> None:
    """The action call's timeout, the breaker's pause and run of failures, and the action
    server's token, for this process."""
    global _token
    _breaker.timeout_s, _breaker.open_for_s, _breaker.failures_to_open = timeout_s, open_for_s, failures_to_open
    _token = token
