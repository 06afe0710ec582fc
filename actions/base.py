"""What every custom action shares: a database session, and the disclaimer.

`SignpostAction.run` wraps `respond`: whatever `respond` sends, the reply ends
with the see-a-neurologist disclaimer, also when the knowledge base fails. The
first reply of a conversation gets the full sentence, later ones the short form
(a person reads it once, not on every turn); an action may leave it out after an
emergency or crisis answer, where it would read as cold (`disclaimer_due`).

What a conversation has been shown lives in the `shown` slot: "disclaimer", the
ids of the contacts its replies gave, and "tip:<id>" for tips. `respond` says what its reply showed
with `shows(...)`; `run` merges that into the slot, and the disclaimer message
carries the new contacts as a record (signpost.conversations.delivered), so the
GP summary lists only contacts the person was given.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from signpost.config import get_settings
from signpost.conversations.delivered import RECORD_KEY, contacts_record
from signpost.dialogue import SHOWN_SLOT
from signpost.logs import start_request
from signpost.responses import variant_text
from signpost.storage.engine import engine_for

logger = logging.getLogger(__name__)


DISCLAIMER = "disclaimer"
FULL_DISCLAIMER = "utter_disclaimer"
SHORT_DISCLAIMER = "utter_disclaimer_short"


def shown(tracker: Tracker) -> List[str]:
    """What this conversation has been shown so far (the `shown` slot)."""
    value = tracker.get_slot(SHOWN_SLOT)
    return [str(v) for v in value] if isinstance(value, list) else []


def shows(*items: str) -> SlotSet:
    """An event for `respond` to return: its reply showed these contacts (ids), or other
    items with a prefix ("tip:<id>")."""
    return SlotSet(SHOWN_SLOT, list(items))


def _contact_ids(items: List[str]) -> List[str]:
    return list(dict.fromkeys(i for i in items if i != DISCLAIMER and ":" not in i))


def knowledge_engine() -> Engine:
    return engine_for(get_settings().database_url)


def template(domain: DomainDict, name: str, channel: Optional[str] = None) -> str:
    """The text of a domain response, preferring the variant for `channel`."""
    return variant_text(domain.get("responses", {}), name, channel)


def response_buttons(domain: DomainDict, name: str) -> List[Dict[str, Any]]:
    variants = domain.get("responses", {}).get(name) or [{}]
    return list(variants[0].get("buttons") or [])


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the latest message as Rasa set it (nlu_fallback included)."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def bullet_list(lines: List[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


class SignpostAction(Action, ABC):
    """Base for actions that answer the user. Abstract, so rasa-sdk does not register it."""

    #: Buttons offered under the disclaimer, taken from this domain response.
    followup_buttons_from: Optional[str] = "utter_how_can_i_help"

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        """Send the reply's content and return events; the disclaimer is added after."""

    def disclaimer_due(self, tracker: Tracker) -> bool:
        """Whether this reply ends with the disclaimer (always, unless an action says otherwise)."""
        return True

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        start_request((tracker.latest_message or {}).get("message_id"))  # the channel's request id
        events: List[EventType] = []
        try:
            with Session(knowledge_engine(), future=True) as session:
                events = self.respond(dispatcher, tracker, domain, session)
                session.commit()
        except SQLAlchemyError as exc:
            logger.error("knowledge base unavailable in %s: %s", self.name(), type(exc).__name__)
            dispatcher.utter_message(response="utter_service_problem")
        before = shown(tracker)
        new_items = [
            item
            for event in events
            if event.get("event") == "slot" and event.get("name") == SHOWN_SLOT
            for item in (event.get("value") or [])
            if item not in before
        ]
        events = [e for e in events if not (e.get("event") == "slot" and e.get("name") == SHOWN_SLOT)]
        if self.disclaimer_due(tracker):
            buttons = response_buttons(domain, self.followup_buttons_from) if self.followup_buttons_from else []
            contact_ids = _contact_ids(new_items)
            record = {RECORD_KEY: contacts_record(contact_ids)} if contact_ids else {}
            full = DISCLAIMER not in before
            dispatcher.utter_message(
                response=FULL_DISCLAIMER if full else SHORT_DISCLAIMER, buttons=buttons or None, **record
            )
            if full:
                new_items.append(DISCLAIMER)
        elif _contact_ids(new_items) and dispatcher.messages and RECORD_KEY not in dispatcher.messages[-1]:
            dispatcher.messages[-1][RECORD_KEY] = contacts_record(_contact_ids(new_items))
        if new_items:
            events.append(SlotSet(SHOWN_SLOT, list(dict.fromkeys(before + new_items))))
        logger.info("%s: %d message(s)", self.name(), len(dispatcher.messages))
        return events
