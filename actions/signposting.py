"""Signposting after the symptom questions: matching types, tips, contacts."""

from __future__ import annotations

import re
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import SignpostAction, bullet_list, shown, shows, template
from signpost.conversations.delivered import RECORD_KEY, triage_record
from signpost.dialogue import BODY_REGION, MODIFIER, SIGNPOST_ACTION, SUGGESTED_TYPES_SLOT, SYMPTOM
from signpost.knowledge import repository
from signpost.knowledge.content import Contact
from signpost.language import triage
from signpost.language.framing import frame
from signpost.responses import join_items

HELPLINE_ID = "dystonia_uk"
# A reason or two for each type: two when it is the only one, else one a line (one glance).
MAX_REASONS = 2
MAX_TIPS = 2
SUMMARY_SENTENCES = 2  # on the likeliest type, in the first answer
TIP_PREFIX = "tip:"  # a tip's entry in the `shown` slot


def _slot_list(tracker: Tracker, name: str) -> List[str]:
    value = tracker.get_slot(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _channel(tracker: Tracker) -> str | None:
    return tracker.get_latest_input_channel()


def contact_line(domain: DomainDict, contact: Contact, channel: str | None) -> str:
    """'Name: phone, email, website', or 'Name: description' for a contact with no details."""
    parts = [contact.phone, contact.email] if channel == "sms" else [contact.phone, contact.email, contact.website]
    details = ", ".join(p for p in parts if p) or contact.description
    return template(domain, "utter_contact_line", channel).format(name=contact.name, details=details)


def texts_since_answer(tracker: Tracker, action: str = SIGNPOST_ACTION) -> List[str]:
    """What the person typed since this action last answered (in this session)."""
    texts: List[str] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started" or (kind == "action" and event.get("name") == action):
            break
        if kind == "user" and event.get("text"):
            texts.append(str(event["text"]))
    return list(reversed(texts))


def first_sentences(text: str, count: int) -> str:
    """The first `count` sentences of a text (all of it when it has fewer)."""
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:count])


def mention_for(mention: str, about: str) -> str:
    """A term's mention ("your neck") as it reads when the story is about someone else ("the neck")."""
    return re.sub(r"^your\b", "the", mention) if about != "self" else mention


def feeling_line(domain: DomainDict, feeling: str | None, channel: str | None) -> str:
    return template(domain, f"utter_feeling_{feeling}", channel) if feeling else ""


class ActionSignpost(SignpostAction):
    """Name up to three types the description is sometimes seen in, with reasons.

    The first message carries the triage record for the GP summary and the overview;
    the tracker store writes it once the message is in the saved conversation.
    """

    def name(self) -> str:
        return SIGNPOST_ACTION

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        regions = _slot_list(tracker, BODY_REGION)
        symptoms = _slot_list(tracker, SYMPTOM)
        modifiers = _slot_list(tracker, MODIFIER)
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
        framing = frame(texts_since_answer(tracker))
        feeling = feeling_line(domain, framing.feeling, channel)
        if not candidates:  # here the helpline is the answer
            dispatcher.utter_message(response="utter_signpost_none", feeling=feeling, **record)
            if call:
                dispatcher.utter_message(text=call.strip())
            dispatcher.utter_message(response="utter_safety_net")
            return [SlotSet(SUGGESTED_TYPES_SLOT, []), *([shows(HELPLINE_ID)] if call else [])]
        # Otherwise the helpline's number once per conversation; later the "Contacts" button has it.
        if HELPLINE_ID in shown(tracker):
            call = ""
        given = [shows(HELPLINE_ID)] if call else []

        types = {t.id: t for t in listed}
        line = template(domain, "utter_candidate_line", channel)
        reasons = MAX_REASONS if len(candidates) == 1 and channel != "sms" else 1
        last_pair = template(domain, "utter_list_last_pair", channel)
        lines = [
            line.format(
                name=types[c.type_id].name,
                reason=join_items(
                    [mention_for(terms[s].mention, framing.about) for s in c.reasons[:reasons] if s in terms],
                    last_pair,
                ),
            )
            for c in candidates
        ]
        top = types[candidates[0].type_id]
        subtypes = triage.subtype_for(top.subtypes, symptoms)
        child = template(domain, "utter_signpost_child", channel) if framing.about == "child" else ""
        # One bubble: the types with a reason each, and two or three sentences on the likeliest.
        dispatcher.utter_message(
            response="utter_signpost_candidates",
            feeling=feeling,
            candidates=bullet_list(lines),
            name=top.name,
            summary=first_sentences(top.summary, SUMMARY_SENTENCES),
            subtype="".join(" " + s.text for s in subtypes),
            child=child,
            **record,
        )
        if channel == "sms":  # a text keeps the type's summary for MORE (signpost/language/sms_text.py)
            dispatcher.utter_message(
                response="utter_signpost_type",
                name=top.name,
                summary=top.summary,
                subtype="".join(" " + s.text for s in subtypes),
                child=child,
            )
        tips = repository.tips_for(session, type_ids)
        tip = next((t for t in tips if t.kind == "sensory_trick" and top.id in t.types), None) or (
            tips[0] if tips else None
        )
        # One bubble: one tip, the helpline (once per conversation) and the safety net.
        dispatcher.utter_message(response="utter_signpost_help", tip=tip.text if tip else "", contact=call)
        if channel == "sms":  # its own text there, so it is never held back for MORE with the tip
            dispatcher.utter_message(response="utter_safety_net")
        if tip:
            given.append(shows(TIP_PREFIX + tip.id))
        return [SlotSet(SUGGESTED_TYPES_SLOT, type_ids), *given]


class ActionMoreTips(SignpostAction):
    """Coping tips (sensory tricks first) for the types suggested, then general ones: the
    next few this conversation has not been shown, so "more tips" always says something new."""

    def name(self) -> str:
        return "action_more_tips"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        type_ids = _slot_list(tracker, SUGGESTED_TYPES_SLOT)
        tips = repository.tips_for(session, type_ids)
        tips.sort(key=lambda t: (t.kind != "sensory_trick", not t.types))
        seen = set(shown(tracker))
        tips = [t for t in tips if TIP_PREFIX + t.id not in seen][:MAX_TIPS]
        if not tips:
            dispatcher.utter_message(response="utter_tips_none")
            return []
        dispatcher.utter_message(response="utter_tips", tips=bullet_list([t.text for t in tips]))
        return [shows(*(TIP_PREFIX + t.id for t in tips))]


class ActionContacts(SignpostAction):
    """Helplines, charities, carers' support and occupational therapy that fit."""

    def name(self) -> str:
        return "action_contacts"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        type_ids = _slot_list(tracker, SUGGESTED_TYPES_SLOT)
        contacts = repository.contacts_to_list(session, type_ids)
        channel = _channel(tracker)
        dispatcher.utter_message(
            response="utter_contacts", contacts=bullet_list([contact_line(domain, c, channel) for c in contacts])
        )
        return [shows(*(c.id for c in contacts))]
