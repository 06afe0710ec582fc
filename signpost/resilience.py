"""Keep the Rasa server answering when the action server is down or slow.

Rasa waits up to five minutes for a custom action and, if the call fails,
sends nothing. `install()` wraps Rasa's RemoteAction so that a call that fails
or takes longer than ACTION_TIMEOUT_S (default 3 s) is answered with the domain
response `utter_service_problem` (helpline and 999) instead. After a failure
the circuit stays open for ACTION_CIRCUIT_OPEN_S, so later turns fail fast rather than
wait again, and a turn never gets the apology twice.

Red flags never reach this path: signpost.policy.SafetyPolicy answers them with
domain responses.

`install()` also removes the in-memory fallback Rasa puts behind every tracker
store (FailSafeTrackerStore). With it, a database outage silently starts every
conversation afresh and keeps its new events only in that process's memory,
to be lost later. Without it the turn fails, the channel answers with the
helpline and 999 (signpost.channels), and nothing is acknowledged that was not
stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Iterable, List, Optional

import rasa.core.agent
from rasa.core.actions.action import RemoteAction, create_bot_utterance
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

APOLOGY = "utter_service_problem"


class _Circuit:
    def __init__(self, timeout_s: float = 3.0, open_for_s: float = 10.0) -> None:
        self.timeout_s = timeout_s
        self.open_for_s = open_for_s
        self.open_until = 0.0
        self.apologised_for: dict[str, str] = {}  # sender -> message id already answered

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + self.open_for_s

    def close(self) -> None:
        self.open_until = 0.0


_circuit = _Circuit()


def _turn_key(tracker: Any) -> str:
    message = getattr(tracker, "latest_message", None)
    return str(getattr(message, "message_id", None) or getattr(message, "text", ""))


async def _apology(tracker: Any, nlg: Any, output_channel: Any) -> List[Event]:
    """The apology, once per user message."""
    key = _turn_key(tracker)
    if _circuit.apologised_for.get(tracker.sender_id) == key:
        return []
    _circuit.apologised_for[tracker.sender_id] = key
    if len(_circuit.apologised_for) > 10_000:
        _circuit.apologised_for.clear()
    message = await nlg.generate(APOLOGY, tracker, output_channel.name())
    if not message:
        return []
    message["utter_action"] = APOLOGY
    return [create_bot_utterance(message)]


def guarded(run: Callable[..., Awaitable[List[Event]]]) -> Callable[..., Awaitable[List[Event]]]:
    async def run_guarded(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        if _circuit.is_open():
            return await _apology(tracker, nlg, output_channel)
        try:
            events = await asyncio.wait_for(run(self, output_channel, nlg, tracker, domain), _circuit.timeout_s)
        except Exception as exc:  # noqa: BLE001 - any failure of the remote call gets the same answer
            logger.error("custom action %s failed (%s); answering with %s", self.name(), type(exc).__name__, APOLOGY)
            _circuit.trip()
            return await _apology(tracker, nlg, output_channel)
        _circuit.close()
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


def install(timeout_s: float, open_for_s: float) -> None:
    """Wrap RemoteAction.run, and drop the tracker store fallback, once per process."""
    _circuit.timeout_s, _circuit.open_for_s = timeout_s, open_for_s
    if not hasattr(RemoteAction.run, "__wrapped__"):
        RemoteAction.run = guarded(RemoteAction.run)  # type: ignore[method-assign]
    rasa.core.agent.FailSafeTrackerStore = NoFallbackTrackerStore  # type: ignore[misc]
