"""What every custom action shares: a database session, and the disclaimer.

`SignpostAction.run` wraps `respond`: whatever `respond` sends, the reply ends
with the see-a-neurologist disclaimer, also when the knowledge base fails.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from signpost.config import get_settings
from signpost.knowledge.db import engine_for
from signpost.logs import start_request
from signpost.responses import variant_text

logger = logging.getLogger(__name__)

DomainDict = Dict[str, Any]


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
        buttons = response_buttons(domain, self.followup_buttons_from) if self.followup_buttons_from else []
        dispatcher.utter_message(response="utter_disclaimer", buttons=buttons or None)
        logger.info("%s: %d message(s)", self.name(), len(dispatcher.messages))
        return events
