"""Signposting after the symptom questions: matching types, tips, contacts."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import DomainDict, SignpostAction, bullet_list, template
from signpost import triage
from signpost.conversations.delivered import RECORD_KEY, triage_record
from signpost.knowledge import repository
from signpost.knowledge.content import Contact
from signpost.responses import join_items

HELPLINE_ID = "dystonia_uk"
MAX_REASONS = 2
MAX_TIPS = 4


def _slot_list(tracker: Tracker, name: str) -> List[str]:
    value = tracker.get_slot(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _channel(tracker: Tracker) -> str | None:
    return tracker.get_latest_input_channel()


def contact_line(domain: DomainDict, contact: Contact, channel: str | None) -> str:
    details = [part for part in (contact.phone and f"Phone {contact.phone}", contact.email, contact.website) if part]
    return template(domain, "utter_contact_line", channel).format(
        name=contact.name,
        description=contact.description,
        details=(" " + ", ".join(details) + ".") if details else "",
    )


class ActionSignpost(SignpostAction):
    """Name up to three types the description is sometimes seen in, with reasons.

    The first message carries the triage record for the GP summary and the overview;
    the tracker store writes it once the message is in the saved conversation.
    """

    def name(self) -> str:
        return "action_signpost"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        regions = _slot_list(tracker, "body_region")
        symptoms = _slot_list(tracker, "symptom")
        modifiers = _slot_list(tracker, "modifier")
        listed = repository.list_types(session)
        candidates = triage.rank(triage.rules_for(listed), regions, symptoms, modifiers)
        helpline = repository.contact(session, HELPLINE_ID)
        channel = _channel(tracker)
        type_ids = [c.type_id for c in candidates]
        terms = repository.terms(session)

        def known(values: List[str], kind: str) -> List[str]:
            return [v for v in values if v in terms and terms[v].kind == kind]

        # The message that names the types carries the record (signpost.conversations.delivered):
        # only terms of the vocabulary, so nothing a person typed reaches the summary verbatim.
        record = {
            RECORD_KEY: triage_record(
                known(regions, "region"), known(symptoms, "symptom"), known(modifiers, "modifier"), type_ids
            )
        }
        call = (
            template(domain, "utter_contact_call", channel).format(name=helpline.name, phone=helpline.phone)
            if helpline
            else ""
        )
        if not candidates:
            dispatcher.utter_message(response="utter_signpost_none", **record)
            if call:
                dispatcher.utter_message(text=call)
            dispatcher.utter_message(response="utter_safety_net")
            return [SlotSet("suggested_types", [])]

        types = {t.id: t for t in listed}
        line = template(domain, "utter_candidate_line", channel)
        last_pair = template(domain, "utter_list_last_pair", channel)
        lines = [
            line.format(
                name=types[c.type_id].name,
                reason=join_items([terms[s].mention for s in c.reasons[:MAX_REASONS] if s in terms], last_pair),
            )
            for c in candidates
        ]
        dispatcher.utter_message(response="utter_signpost_candidates", candidates=bullet_list(lines), **record)

        top = types[candidates[0].type_id]
        subtypes = triage.subtype_for(top.subtypes, symptoms)
        dispatcher.utter_message(
            response="utter_signpost_type",
            name=top.name,
            summary=top.summary,
            subtype="".join(" " + s.text for s in subtypes),
        )
        tips = repository.tips_for(session, type_ids)
        tip = next((t for t in tips if t.kind == "sensory_trick" and top.id in t.types), None) or (
            tips[0] if tips else None
        )
        dispatcher.utter_message(response="utter_signpost_help", tip=tip.text if tip else "", contact=call)
        dispatcher.utter_message(response="utter_safety_net")
        return [SlotSet("suggested_types", type_ids)]


class ActionMoreTips(SignpostAction):
    """Coping tips (sensory tricks first) for the types suggested, then general ones."""

    def name(self) -> str:
        return "action_more_tips"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        type_ids = _slot_list(tracker, "suggested_types")
        tips = repository.tips_for(session, type_ids)
        tips.sort(key=lambda t: (t.kind != "sensory_trick", not t.types))
        if not tips:
            dispatcher.utter_message(response="utter_tips_none")
            return []
        dispatcher.utter_message(response="utter_tips", tips=bullet_list([t.text for t in tips[:MAX_TIPS]]))
        return []


class ActionContacts(SignpostAction):
    """Helplines, charities, carers' support and occupational therapy that fit."""

    def name(self) -> str:
        return "action_contacts"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        type_ids = _slot_list(tracker, "suggested_types")
        contacts = repository.contacts_to_give(session, type_ids)
        channel = _channel(tracker)
        dispatcher.utter_message(
            response="utter_contacts", contacts=bullet_list([contact_line(domain, c, channel) for c in contacts])
        )
        return []
