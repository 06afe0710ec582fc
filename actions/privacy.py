""" "What do you know about me?": what is kept from this conversation, read from the database."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import SignpostAction, bullet_list, template
from signpost.config import describe_duration, get_settings
from signpost.conversations.forget_me import stored_data
from signpost.responses import join_items
from signpost.storage.clock import utcnow

MAX_LISTED = 8  # at most this many of what was described, and of the types named, so an SMS fits


class ActionMyData(SignpostAction):
    """List what is stored: the person's messages, what they described, types named, reference codes."""

    def name(self) -> str:
        return "action_my_data"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        channel = tracker.get_latest_input_channel()
        stored = stored_data(session, tracker.sender_id)
        last_pair = template(domain, "utter_list_last_pair", channel)

        def line(name: str, **values: object) -> str:
            return template(domain, name, channel).format(**values)

        since = stored.first_at or utcnow()
        items = [line("utter_my_data_messages", count=stored.messages + 1, since=f"{since:%-d %B %Y}")]
        described = (stored.summary.regions + stored.summary.symptoms)[-MAX_LISTED:]
        if described:
            items.append(line("utter_my_data_described", items=join_items(described, last_pair)))
        if stored.summary.types:
            names = [t.name for t in stored.summary.types][-MAX_LISTED:]
            items.append(line("utter_my_data_types", items=join_items(names, last_pair)))
        if stored.codes:
            items.append(line("utter_my_data_codes", codes=join_items(stored.codes, last_pair)))
        dispatcher.utter_message(
            response="utter_my_data",
            items=bullet_list(items),
            retention=describe_duration(get_settings().retention),
        )
        return []
