"""Limits on the public channels, so no sender or address can crowd out the others.

Three limits, all configurable (signpost.config) and generous by default, since
a charity office, a library or a hospital shares one address:

- per conversation: at most `turns_waiting_per_conversation` turns in progress at
  once (Rasa runs one conversation's turns one after another, so more would only
  queue up behind the lock);
- per client address: at most `turns_per_address_per_minute` turns in a sliding
  minute;
- per process: at most `turns_in_flight` turns in progress at once.

Beyond a limit the REST channel answers 429 with Retry-After; the widget and SMS
send one short "please wait a moment" (`Refusal.notify`) and nothing more until
that conversation's turns have drained. The counts live in this process: each
replica limits what it is given.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Optional

from signpost.config import Settings

MAX_TRACKED_ADDRESSES = 50_000


@dataclass(frozen=True)
class Refusal:
    reason: str  # conversation | address | busy
    retry_after_s: int
    notify: bool  # the first refusal of this burst: tell the person once


@dataclass
class _Conversation:
    in_progress: int = 0
    notified: bool = False


@dataclass
class TurnLimiter:
    per_conversation: int
    per_address_per_minute: int
    in_flight_limit: int
    clock: Callable[[], float] = time.monotonic
    _conversations: dict[str, _Conversation] = field(default_factory=dict)
    _addresses: dict[str, deque[float]] = field(default_factory=dict)
    in_flight: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> TurnLimiter:
        return cls(
            settings.turns_waiting_per_conversation,
            settings.turns_per_address_per_minute,
            settings.turns_in_flight,
        )

    def _refuse(self, conversation: _Conversation, reason: str, retry_after_s: int) -> Refusal:
        notify = not conversation.notified
        conversation.notified = True
        return Refusal(reason, retry_after_s, notify)

    def admit(self, conversation_id: str, address: Optional[str]) -> Optional[Refusal]:
        """None if the turn may run (then call `release` when it ends), else why not."""
        conversation = self._conversations.setdefault(conversation_id, _Conversation())
        if conversation.in_progress >= self.per_conversation:
            return self._refuse(conversation, "conversation", 1)
        if self.in_flight >= self.in_flight_limit:
            if not conversation.in_progress:  # nothing to wait for in this conversation: say so each time
                self._conversations.pop(conversation_id, None)
                return Refusal("busy", 1, True)
            return self._refuse(conversation, "busy", 1)
        if address is not None:
            now = self.clock()
            seen = self._addresses.get(address)
            if seen is None:
                if len(self._addresses) >= MAX_TRACKED_ADDRESSES:
                    self._forget_quiet_addresses(now)
                seen = self._addresses[address] = deque()
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if len(seen) >= self.per_address_per_minute:
                if not conversation.in_progress:
                    self._conversations.pop(conversation_id, None)
                return Refusal("address", max(1, int(seen[0] + 60 - now) + 1), False)
            seen.append(now)
        conversation.in_progress += 1
        self.in_flight += 1
        return None

    def release(self, conversation_id: str) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        conversation = self._conversations.get(conversation_id)
        if conversation is None:
            return
        conversation.in_progress -= 1
        if conversation.in_progress <= 0:
            del self._conversations[conversation_id]  # also ends the burst: the next refusal notifies again

    def _forget_quiet_addresses(self, now: float) -> None:
        for key in [k for k, seen in self._addresses.items() if not seen or seen[-1] <= now - 60]:
            del self._addresses[key]
        if len(self._addresses) >= MAX_TRACKED_ADDRESSES:  # all busy: drop the oldest half
            for key in list(self._addresses)[: MAX_TRACKED_ADDRESSES // 2]:
                del self._addresses[key]


_limiter: Optional[TurnLimiter] = None


def limiter(settings: Settings) -> TurnLimiter:
    """The process's limiter, made on first use."""
    global _limiter
    if _limiter is None:
        _limiter = TurnLimiter.from_settings(settings)
    return _limiter


def pseudonym(secret: str, address: Optional[str]) -> Optional[str]:
    """A keyed hash of a client address, for counting (e.g. handoffs) without keeping it."""
    if not address:
        return None
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
