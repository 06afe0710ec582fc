"""Handing a conversation to the helpline: a reference code and the queue entry staff see."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import DomainDict, SignpostAction, latest_intent
from actions.signposting import HELPLINE_ID
from signpost.conversations import repository as conversations
from signpost.knowledge import repository

RED_FLAG_INTENTS = {"red_flag_emergency": "emergency", "red_flag_crisis": "crisis", "red_flag_urgent": "urgent"}


class ActionHandoff(SignpostAction):
    """Queue the conversation for the helpline and give the person its reference code.

    Runs when someone asks for a person, and after every red-flag response
    (which has already gone out as a plain domain response).
    """

    followup_buttons_from = None  # no "more tips" buttons after an emergency

    def name(self) -> str:
        return "action_handoff"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        red_flag = RED_FLAG_INTENTS.get(latest_intent(tracker) or "")
        handoff = conversations.open_handoff(
            session,
            tracker.sender_id,
            tracker.get_latest_input_channel(),
            reason="red_flag" if red_flag else "asked_for_person",
            red_flag=red_flag,
        )
        helpline = repository.contact(session, HELPLINE_ID)
        dispatcher.utter_message(
            response="utter_handoff_red_flag" if red_flag else "utter_handoff",
            code=handoff.code,
            helpline=helpline.name if helpline else "",
            phone=helpline.phone if helpline else "",
        )
        return []
