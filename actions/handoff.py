"""Handing a conversation to the helpline: a reference code, and the queue entry staff see.

The action writes nothing: the message that gives the code carries the queue entry
as its record (signpost.conversations.delivered), and the tracker store opens the
entry only once that message is in the saved conversation. So a person who got the
apology instead of the code leaves no entry behind, and the code staff see is the
code the person was given.

Flood caps, so fake emergencies cannot bury the real ones: a conversation gets at
most `handoffs_per_conversation_per_hour` handoff answers an hour, and one client
address (the channel's keyed hash of it, `client` in the message metadata) opens at
most `handoffs_per_address_per_hour` new entries an hour. Beyond a cap the entry is
marked `suspected_automation` for staff, no new entry is opened, and the person
still gets the helpline's number (with the code of the entry they already have).
Requests for a person and red flags are counted apart, each against the per-address
cap. A red flag beyond a cap still opens its entry, marked `suspected_automation`: a
real emergency from a shared address (a hospital, a library) must never be dropped,
and many of them must not use up the place of the people asking for a person.
The per-address count lives in this process, like the channels' limits
(signpost.rasa_plugins.channels.limits): each action server replica counts what it is given.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import SignpostAction, latest_intent, shows
from actions.signposting import HELPLINE_ID
from signpost.config import get_settings
from signpost.conversations import repository as conversations
from signpost.conversations.delivered import RECORD_KEY, handoff_record, handoffs_since
from signpost.dialogue import CATEGORY_FOR_INTENT, CRISIS, EMERGENCY, HANDOFF_ACTION
from signpost.knowledge import repository

# After these answers a disclaimer would read as cold (issue: kindness first).
NO_DISCLAIMER_AFTER = {EMERGENCY, CRISIS}
HOUR_S = 3600.0
MAX_TRACKED_CLIENTS = 50_000


@dataclass
class RecentEntries:
    """The codes of the entries each client address opened in the last hour, in this process."""

    clock: Callable[[], float] = time.monotonic
    _by_client: Dict[str, deque[tuple[float, str]]] = field(default_factory=dict)

    def codes(self, client: str) -> List[str]:
        recent = self._by_client.get(client)
        if recent is None:
            return []
        cutoff = self.clock() - HOUR_S
        while recent and recent[0][0] < cutoff:
            recent.popleft()
        return [code for _, code in recent]

    def add(self, client: str, code: str) -> None:
        if client not in self._by_client and len(self._by_client) >= MAX_TRACKED_CLIENTS:
            cutoff = self.clock() - HOUR_S
            self._by_client = {k: v for k, v in self._by_client.items() if v and v[-1][0] >= cutoff}
        self._by_client.setdefault(client, deque()).append((self.clock(), code))


recent_entries = RecentEntries()


def client_of(tracker: Tracker) -> Optional[str]:
    """The channel's keyed hash of the client's address, when it sent one."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    client = metadata.get("client") if isinstance(metadata, dict) else None
    return client if isinstance(client, str) and client else None


class ActionHandoff(SignpostAction):
    """Give the person the reference code of their queue entry and the helpline's number.

    Runs when someone asks for a person, and after every red-flag response
    (which has already gone out as a plain domain response).
    """

    followup_buttons_from = None  # no "more tips" buttons after an emergency

    def name(self) -> str:
        return HANDOFF_ACTION

    def disclaimer_due(self, tracker: Tracker) -> bool:
        return CATEGORY_FOR_INTENT.get(latest_intent(tracker) or "") not in NO_DISCLAIMER_AFTER

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        settings = get_settings()
        red_flag = CATEGORY_FOR_INTENT.get(latest_intent(tracker) or "")
        reason = "red_flag" if red_flag else "asked_for_person"
        current = conversations.current_handoff(session, tracker.sender_id)
        earlier = handoffs_since(tracker.events, time.time() - HOUR_S)
        suspected = earlier >= settings.handoffs_per_conversation_per_hour
        client = client_of(tracker)
        burst: List[str] = []
        counted = f"{reason}:{client}" if client is not None else None
        if current is None and counted is not None:
            opened = recent_entries.codes(counted)
            if len(opened) >= settings.handoffs_per_address_per_hour:
                suspected, burst = True, opened
        helpline = repository.contact(session, HELPLINE_ID)
        name, phone = (helpline.name, helpline.phone) if helpline else ("", "")
        given = [shows(HELPLINE_ID)] if helpline else []

        if current is None and suspected and not red_flag:
            # Beyond a cap with no entry of its own: the helpline's number, and no new entry.
            dispatcher.utter_message(
                response="utter_helpline",
                name=name,
                phone=phone,
                website=(helpline.website or "") if helpline else "",
                **{RECORD_KEY: handoff_record(None, reason, red_flag, suspected, burst)},
            )
            return given

        code = current.code if current else conversations.unused_code(session)
        if current is None and counted is not None:
            recent_entries.add(counted, code)
        dispatcher.utter_message(
            response="utter_handoff_red_flag" if red_flag else "utter_handoff",
            code=code,
            helpline=name,
            phone=phone,
            email=(helpline.email or "") if helpline else "",
            **{RECORD_KEY: handoff_record(code, reason, red_flag, suspected)},
        )
        if not red_flag and tracker.get_latest_input_channel() == "sms":
            # A worker can only text back with consent (signpost/conversations/callbacks.py).
            dispatcher.utter_message(response="utter_sms_callback_ask", json_message={"sms_callback": "ask"})
        return given
