"""Side questions: short answers, general topics, a named type, support groups, the helpline, "why ask?"."""

from __future__ import annotations

from typing import List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import SignpostAction, bullet_list, latest_intent, shown, shows, template
from actions.signposting import HELPLINE_ID, first_sentences
from signpost.dialogue import BODY_REGION, DYSTONIA_TYPE, NLU_FALLBACK_INTENT, PLACE, RETRIEVAL_INTENT, SYMPTOM
from signpost.knowledge import repository
from signpost.knowledge.answers import GAP_ID, Answer, answers_by_id

GROUPS_ID = "dystonia_uk_groups"
GENERAL_TOPIC = "what_is_dystonia"  # a question about a type that names none
TYPE_SENTENCES = 3  # "what is blepharospasm?": the answer in a few sentences
WHY_TOPIC = {BODY_REGION: "why_region", SYMPTOM: "why_symptom"}
# Responses that follow a topic's answer: mental health offers the crisis lines.
FOLLOW_UP = {"mental_health": "utter_crisis_offer"}
# How sure the ResponseSelector must be before its answer is given: for a `faq`
# question at all (below it, the honest "nothing specific" answer), and instead of a
# side topic's whole page, lower when the answer narrows that very topic. Measured on
# the development split of eval/questions (docs/questions.md).
FAQ_MIN_CONFIDENCE = 0.2
REFINE_SAME_TOPIC = 0.5
REFINE_OTHER_TOPIC = 0.8
# When the intent classifier was unsure (nlu_fallback) but the answer is clear.
FALLBACK_ANSWER = 0.9


def _latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The entity in the latest message, else the slot of the same name."""
    value = next(tracker.get_latest_entity_values(entity), None)
    return value or tracker.get_slot(entity)


def selected_answer(tracker: Tracker) -> Tuple[Optional[str], float]:
    """The answer the ResponseSelector chose for the latest message, and how sure it was."""
    selector = (tracker.latest_message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    response = selector.get("response") or {}
    key = str(response.get("intent_response_key") or "")
    prefix = f"{RETRIEVAL_INTENT}/"
    return (key[len(prefix) :] or None) if key.startswith(prefix) else None, float(response.get("confidence") or 0)


def _narrower_answer(tracker: Tracker, topic_id: str) -> Optional[Answer]:
    """A short answer that fits a side-topic question better than the topic's whole page."""
    answer_id, confidence = selected_answer(tracker)
    answer = answers_by_id().get(answer_id or "")
    if answer is None or answer.id == GAP_ID:
        return None
    needed = REFINE_SAME_TOPIC if answer.topic == topic_id else REFINE_OTHER_TOPIC
    return answer if confidence >= needed else None


class ActionAnswerTopic(SignpostAction):
    """Answer a question: a short answer from answers.yml, or a topic page (what is dystonia, pain, ...)."""

    def name(self) -> str:
        return "action_answer_topic"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        intent = latest_intent(tracker) or ""
        if intent == RETRIEVAL_INTENT:
            answers = answers_by_id()
            answer_id, confidence = selected_answer(tracker)
            chosen = answer_id if answer_id in answers and confidence >= FAQ_MIN_CONFIDENCE else GAP_ID
            dispatcher.utter_message(response=answers[chosen or GAP_ID].response_name)
            return []
        if intent == NLU_FALLBACK_INTENT:
            answer_id, confidence = selected_answer(tracker)
            clear = answers_by_id().get(answer_id or "") if confidence >= FALLBACK_ANSWER else None
            dispatcher.utter_message(response=clear.response_name if clear else "utter_default")
            return []
        topic = repository.topic_for_intent(session, intent)
        if topic is None:
            dispatcher.utter_message(response="utter_default")
            return []
        narrower = _narrower_answer(tracker, topic.id)
        if narrower is not None:
            dispatcher.utter_message(response=narrower.response_name)
            return []
        channel = tracker.get_latest_input_channel()
        contact = next((c for c in repository.contacts_for(session, topic=topic.id) if c.phone), None)
        call = ""
        if contact and contact.id not in shown(tracker):  # each contact once; "Contacts" lists them again
            call = template(domain, "utter_contact_call", channel).format(name=contact.name, phone=contact.phone)
        dispatcher.utter_message(response="utter_topic", summary=topic.summary, contact=call)
        if topic.id in FOLLOW_UP:
            dispatcher.utter_message(response=FOLLOW_UP[topic.id])
        return [shows(contact.id)] if call and contact else []


class ActionTypeInfo(SignpostAction):
    """What a named type (or neck subtype such as antecollis) is."""

    def name(self) -> str:
        return "action_type_info"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        wanted = _latest_entity(tracker, DYSTONIA_TYPE)
        general = repository.topic(session, GENERAL_TOPIC) if not wanted else None
        if general is not None:
            # "what is dystonia disorder and how is it treated?": no type named, so not
            # "I don't have information on that type" but what dystonia is
            dispatcher.utter_message(response="utter_topic", summary=general.summary, contact="")
            return []
        found = repository.find_type(session, wanted) if wanted else None
        if found is None:
            names = ", ".join(t.name for t in repository.list_types(session))
            dispatcher.utter_message(response="utter_type_unknown", names=names)
            return []
        dtype, subtype = found
        dispatcher.utter_message(
            response="utter_type_info",
            name=dtype.name,
            summary=first_sentences(dtype.summary, TYPE_SENTENCES),
            details=dtype.details,
            subtype=f" {subtype.text}" if subtype else "",
        )
        return []


class ActionSupportGroups(SignpostAction):
    """Support groups near a named place, or an honest "none listed here"."""

    def name(self) -> str:
        return "action_support_groups"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        place = _latest_entity(tracker, PLACE)
        national = repository.contact(session, GROUPS_ID)
        website = national.website if national else ""
        phone = national.phone if national else ""
        channel = tracker.get_latest_input_channel()
        line = template(domain, "utter_group_line", channel)

        def lines(groups: list) -> str:
            return bullet_list(
                [
                    line.format(name=g.name, meets=g.meets or "", phone=g.phone, email=g.email, website=g.website)
                    for g in groups
                ]
            )

        if place:
            near = repository.groups_near(session, place)
            if near:
                dispatcher.utter_message(response="utter_groups_near", place=place, groups=lines(near))
            else:
                dispatcher.utter_message(response="utter_groups_none_near", place=place, website=website, phone=phone)
            return []
        local = [c for c in repository.contacts_for(session, kinds=("support_group",)) if c.places]
        intro = repository.topic(session, "support_groups")
        dispatcher.utter_message(
            response="utter_groups_all",
            intro=intro.summary if intro else "",
            groups=lines(local),
            website=website,
            phone=phone,
        )
        return []


class ActionHelpline(SignpostAction):
    """The Dystonia UK helpline number."""

    def name(self) -> str:
        return "action_helpline"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        helpline = repository.contact(session, HELPLINE_ID)
        if helpline:
            dispatcher.utter_message(
                response="utter_helpline", name=helpline.name, phone=helpline.phone, website=helpline.website or ""
            )
            return [shows(helpline.id)]
        return []


class ActionExplainQuestion(SignpostAction):
    """Why the assistant asks what it asks."""

    def name(self) -> str:
        return "action_explain_question"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, session: Session
    ) -> List[EventType]:
        topic_id = WHY_TOPIC.get(tracker.get_slot(REQUESTED_SLOT) or "", "why_general")
        topic = repository.topic(session, topic_id)
        if topic:
            dispatcher.utter_message(response="utter_explain_question", text=f"{topic.summary} {topic.details}")
        return []
