"""Every custom action through Tracker fixtures, on a freshly seeded database."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

import actions.privacy
import actions.signposting
import actions.topics
from actions.base import SignpostAction
from actions.forms import ValidateSymptomForm
from actions.signposting import ActionContacts, ActionMoreTips, ActionSignpost
from actions.topics import ActionAnswerTopic, ActionExplainQuestion, ActionHelpline, ActionSupportGroups, ActionTypeInfo
from signpost.conversations.delivered import RECORD_KEY, triage_record
from signpost.conversations.repository import triage_records
from signpost.storage.engine import make_engine

pytestmark = pytest.mark.usefixtures("knowledge_db")

ALL_ACTIONS = [
    cls
    for module in (actions.signposting, actions.topics, actions.privacy)
    for _, cls in inspect.getmembers(module, inspect.isclass)
    if issubclass(cls, SignpostAction) and not inspect.isabstract(cls)
]


def texts(dispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]


def responses(dispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]


def test_the_action_list_is_complete():
    assert {cls().name() for cls in ALL_ACTIONS} == {
        "action_signpost", "action_more_tips", "action_contacts", "action_answer_topic",
        "action_type_info", "action_support_groups", "action_helpline", "action_explain_question",
        "action_my_data",
    }  # fmt: skip


@pytest.mark.parametrize("cls", ALL_ACTIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "slots,intent",
    [({}, "ask_pain"), ({"body_region": ["neck"], "symptom": ["head_turning"]}, "describe_symptoms"), ({}, "nonsense")],
)
async def test_every_reply_ends_with_the_disclaimer(cls, slots, intent, dispatcher, tracker, domain):
    events = await cls().run(dispatcher, tracker(slots=slots, intent=intent), domain)
    assert responses(dispatcher)[-1] == "utter_disclaimer"
    assert len(dispatcher.messages) >= 2, "the disclaimer is not the whole reply"
    assert "disclaimer" in next(e for e in events if e.get("name") == "shown")["value"]


@pytest.mark.parametrize("cls", ALL_ACTIONS, ids=lambda c: c.__name__)
async def test_after_the_first_reply_the_disclaimer_is_the_short_form(cls, dispatcher, tracker, domain):
    slots = {"body_region": ["neck"], "symptom": ["head_turning"], "shown": ["disclaimer"]}
    await cls().run(dispatcher, tracker(slots=slots, intent="ask_pain"), domain)
    assert responses(dispatcher)[-1] == "utter_disclaimer_short"
    (short,) = domain["responses"]["utter_disclaimer_short"]
    assert len(short["text"].split()) <= 15
    assert "not a diagnosis" in short["text"].lower() and "neurologist" in short["text"].lower()


async def test_disclaimer_survives_a_database_failure(dispatcher, tracker, domain, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    from signpost.config import get_settings
    from signpost.storage.engine import engine_for

    get_settings.cache_clear()
    engine_for.cache_clear()
    await ActionSignpost().run(dispatcher, tracker(slots={"body_region": ["neck"], "symptom": ["spasms"]}), domain)
    assert responses(dispatcher) == ["utter_service_problem", "utter_disclaimer"]


async def test_signpost_names_types_with_reasons(dispatcher, tracker, domain):
    slots = {"body_region": ["neck"], "symptom": ["head_turning"], "modifier": []}
    events = await ActionSignpost().run(dispatcher, tracker(slots=slots), domain)
    first = dispatcher.messages[0]
    assert first["response"] == "utter_signpost_candidates"
    lines = first["candidates"].splitlines()
    assert 1 <= len(lines) <= 3
    assert lines[0].startswith("• Cervical dystonia")
    assert "you mentioned your head turning to one side" in lines[0]
    assert "torticollis" in first["subtype"]
    assert SlotSet("suggested_types", events[0]["value"]) == events[0]
    assert events[0]["value"][0] == "cervical"
    help_ = dispatcher.messages[1]
    assert help_["response"] == "utter_signpost_help" and "020 7793 3650" in help_["contact"]
    assert len(dispatcher.messages) == 3, "types, one tip with the contact and the safety net, the disclaimer"


async def test_the_helpline_is_given_once_a_conversation(dispatcher, tracker, domain):
    slots = {"body_region": ["neck"], "symptom": ["head_turning"], "shown": ["disclaimer", "dystonia_uk"]}
    await ActionSignpost().run(dispatcher, tracker(slots=slots), domain)
    assert dispatcher.messages[1]["contact"] == ""


@pytest.mark.parametrize(
    ("text", "first_words", "child_note"),
    [
        ("I'm so scared, my neck keeps pulling to the left", "That sounds frightening.", False),
        (
            "We're really worried, our 9-year-old's neck pulls to one side",
            "It's natural to worry about your child.",
            True,
        ),
        ("My neck pulls to the left", "What you describe", False),
    ],
)
async def test_a_feeling_is_acknowledged_first_and_a_child_gets_the_childrens_note(
    text, first_words, child_note, dispatcher, tracker, domain
):
    slots = {"body_region": ["neck"], "symptom": ["head_turning"]}
    await ActionSignpost().run(dispatcher, tracker(slots=slots, text=text), domain)
    first = dispatcher.messages[0]
    rendered = domain["responses"]["utter_signpost_candidates"][0]["text"].format(
        **{k: first.get(k, "") for k in ("feeling", "candidates", "name", "summary", "subtype", "child")}
    )
    assert rendered.startswith(first_words)
    assert ("paediatric neurologist" in rendered) is child_note


async def test_more_tips_never_repeats_a_tip_already_shown(dispatcher, tracker, domain):
    slots = {"body_region": ["neck"], "symptom": ["head_turning"]}
    events = await ActionSignpost().run(dispatcher, tracker(slots=slots), domain)
    shown = next(e for e in events if e.get("name") == "shown")["value"]
    tip_given = dispatcher.messages[1]["tip"]
    seen_tips = {tip_given}
    for _ in range(6):
        more = type(dispatcher)()
        events = await ActionMoreTips().run(
            more, tracker(slots={"suggested_types": ["cervical"], "shown": shown}), domain
        )
        if more.messages[0]["response"] == "utter_tips_none":
            break
        listed = set(more.messages[0]["tips"].removeprefix("• ").split("\n• "))
        assert not listed & seen_tips
        seen_tips |= listed
        shown = next(e for e in events if e.get("name") == "shown")["value"]
    else:
        pytest.fail("tips never ran out")


@pytest.mark.parametrize(
    "slots,expected",
    [
        ({"body_region": ["eyes", "face_jaw"], "symptom": ["blinking", "jaw_mouth"]}, "Meige syndrome"),
        (
            {"body_region": ["hand_arm", "foot_leg"], "symptom": ["twisting"], "modifier": ["after_stroke"]},
            "Hemidystonia",
        ),
        ({"body_region": ["voice"], "symptom": ["voice_change"]}, "Spasmodic dysphonia"),
    ],
)
async def test_signpost_patterns(slots, expected, dispatcher, tracker, domain):
    await ActionSignpost().run(dispatcher, tracker(slots=slots), domain)
    assert dispatcher.messages[0]["candidates"].splitlines()[0].startswith(f"• {expected}")


async def test_signpost_with_no_match_says_so_honestly(dispatcher, tracker, domain):
    await ActionSignpost().run(dispatcher, tracker(slots={"body_region": [], "symptom": ["pain"]}), domain)
    assert responses(dispatcher)[0] == "utter_signpost_none"
    assert any("020 7793 3650" in t for t in texts(dispatcher))


@pytest.mark.parametrize(
    "slots,response,types",
    [
        ({"body_region": ["neck"], "symptom": ["head_turning"], "modifier": []}, "utter_signpost_candidates", True),
        ({"body_region": [], "symptom": ["pain"]}, "utter_signpost_none", False),
    ],
)
async def test_signpost_describes_its_record_on_the_message_and_writes_nothing(
    slots, response, types, knowledge_db, dispatcher, tracker, domain
):
    events = await ActionSignpost().run(dispatcher, tracker(slots=slots, channel="socketio"), domain)
    (message,) = [m for m in dispatcher.messages if (m.get(RECORD_KEY) or {}).get("kind") == "triage"]
    assert message["response"] == response
    named = events[0]["value"]
    assert bool(named) is types
    assert message[RECORD_KEY] == triage_record(
        slots["body_region"], slots["symptom"], slots.get("modifier", []), named
    )
    with Session(make_engine(knowledge_db), future=True) as s:
        assert triage_records(s, "test-user") == [], "the record waits until the reply is in the saved conversation"


async def test_signpost_records_only_terms_of_the_vocabulary(dispatcher, tracker, domain):
    """Entities forced from outside (`/describe_symptoms{...}`) never reach the summary verbatim."""
    slots = {"body_region": ["neck", "call 07700 900123"], "symptom": ["head_turning", "neck"], "modifier": ["x"]}
    await ActionSignpost().run(dispatcher, tracker(slots=slots), domain)
    (message,) = [m for m in dispatcher.messages if (m.get(RECORD_KEY) or {}).get("kind") == "triage"]
    record = message[RECORD_KEY]
    assert (record["regions"], record["symptoms"], record["modifiers"]) == (["neck"], ["head_turning"], [])


async def test_more_tips_follow_the_suggested_types(dispatcher, tracker, domain):
    await ActionMoreTips().run(dispatcher, tracker(slots={"suggested_types": ["cervical"]}, intent="ask_tips"), domain)
    assert "chin" in dispatcher.messages[0]["tips"].lower()


async def test_contacts_list_helpline_and_groups(dispatcher, tracker, domain):
    await ActionContacts().run(
        dispatcher, tracker(slots={"suggested_types": ["cervical"]}, intent="ask_contacts"), domain
    )
    listed = dispatcher.messages[0]["contacts"]
    assert "020 7793 3650" in listed and "0151 298 2999" in listed and "occupational therapist" in listed.lower()
    assert "36351" not in listed
    lines = listed.splitlines()
    assert len(lines) <= 4 and all(line.split(":", 1)[1].strip() for line in lines), "no empty contact lines"
    assert "116 123" not in listed, "crisis lines come with the crisis answer, not in every list"


async def test_the_gp_summary_lists_only_the_contacts_that_were_shown(dispatcher, tracker, domain, knowledge_db):
    from signpost.conversations.delivered import record_delivered
    from signpost.conversations.repository import summarise

    await ActionContacts().run(
        dispatcher, tracker(slots={"suggested_types": ["cervical"]}, intent="ask_contacts"), domain
    )
    records = [m for m in dispatcher.messages if RECORD_KEY in m]
    assert [m[RECORD_KEY]["kind"] for m in records] == ["contacts"]
    events = [{"event": "bot", "timestamp": 1.0, "text": "", "metadata": {RECORD_KEY: records[0][RECORD_KEY]}}]
    engine = make_engine(knowledge_db)
    with Session(engine, future=True) as s, s.begin():
        record_delivered(s, "test-user", "rest", events)
    with Session(engine, future=True) as s:
        given = [c.id for c in summarise(s, "test-user").contacts]
        assert summarise(s, "someone-else").contacts == []
    engine.dispose()
    assert sorted(given) == sorted(records[0][RECORD_KEY]["ids"]) and "samaritans" not in given


@pytest.mark.parametrize(
    "intent,topic_word",
    [("ask_what_is_dystonia", "dystonia"), ("ask_cure", "cure"), ("ask_pain", "pain"), ("ask_carers", "carer"),
     ("ask_mental_health", "mental"), ("ask_occupational_therapy", "occupational"), ("ask_treatments", "treat"),
     ("ask_managing", "manag")],
)  # fmt: skip
async def test_side_topics(intent, topic_word, dispatcher, tracker, domain):
    await ActionAnswerTopic().run(dispatcher, tracker(intent=intent), domain)
    topic = dispatcher.messages[0]
    assert topic["response"] == "utter_topic"
    assert topic_word in topic["summary"].lower()


async def test_support_group_in_a_place_we_have_none_for(dispatcher, tracker, domain):
    entities = [{"entity": "place", "value": "Leeds"}]
    await ActionSupportGroups().run(dispatcher, tracker(intent="ask_support_groups", entities=entities), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_groups_none_near"
    assert message["place"] == "Leeds" and message["website"] == "https://www.dystonia.org.uk"


async def test_support_group_in_liverpool(dispatcher, tracker, domain):
    entities = [{"entity": "place", "value": "Liverpool"}]
    await ActionSupportGroups().run(dispatcher, tracker(intent="ask_support_groups", entities=entities), domain)
    assert "Three times a year" in dispatcher.messages[0]["groups"]


async def test_support_groups_without_a_place_list_all(dispatcher, tracker, domain):
    await ActionSupportGroups().run(dispatcher, tracker(intent="ask_support_groups"), domain)
    groups = dispatcher.messages[0]["groups"]
    assert "Liverpool" in groups and "Manchester" in groups


async def test_helpline(dispatcher, tracker, domain):
    await ActionHelpline().run(dispatcher, tracker(intent="ask_helpline"), domain)
    assert dispatcher.messages[0]["phone"] == "020 7793 3650"


@pytest.mark.parametrize(
    "value,name", [("cervical", "Cervical dystonia"), ("antecollis", "Cervical dystonia"), ("meige", "Meige")]
)
async def test_type_info(value, name, dispatcher, tracker, domain):
    entities = [{"entity": "dystonia_type", "value": value}]
    await ActionTypeInfo().run(dispatcher, tracker(intent="ask_type_info", entities=entities), domain)
    assert dispatcher.messages[0]["name"].startswith(name)


async def test_unknown_type_lists_known_ones(dispatcher, tracker, domain):
    entities = [{"entity": "dystonia_type", "value": "purple dystonia"}]
    await ActionTypeInfo().run(dispatcher, tracker(intent="ask_type_info", entities=entities), domain)
    assert dispatcher.messages[0]["response"] == "utter_type_unknown"
    assert "Blepharospasm" in dispatcher.messages[0]["names"]


async def test_a_type_question_that_names_no_type_says_what_dystonia_is(dispatcher, tracker, domain):
    await ActionTypeInfo().run(dispatcher, tracker(intent="ask_type_info"), domain)
    assert dispatcher.messages[0]["response"] == "utter_topic"
    assert dispatcher.messages[0]["summary"].startswith("Dystonia is")


@pytest.mark.parametrize(
    "requested,topic_word", [("body_region", "part of the body"), ("symptom", "movement"), (None, "")]
)
async def test_why_are_you_asking(requested, topic_word, dispatcher, tracker, domain):
    await ActionExplainQuestion().run(
        dispatcher, tracker(slots={"requested_slot": requested}, intent="ask_why_asking"), domain
    )
    assert topic_word in dispatcher.messages[0]["text"].lower()


async def test_form_infers_the_region_a_symptom_names(dispatcher, tracker, domain):
    t = tracker(new_slots={"symptom": ["blinking"]}, slots={"requested_slot": None})
    events = await ValidateSymptomForm().run(dispatcher, t, domain)
    assert {"event": "slot", "name": "body_region", "value": ["eyes"], "timestamp": None} in events
    assert dispatcher.messages == []


def _two_turns(earlier: dict[str, Any], now: dict[str, Any], restart: bool = False) -> Tracker:
    """A conversation that described `earlier` in one message and `now` in the next."""
    parse = {"intent": {"name": "describe_symptoms", "confidence": 1.0}, "entities": [], "text": ""}
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {**earlier, **now},
            "latest_message": parse,
            "events": [
                {"event": "user", "text": "", "parse_data": parse},
                *({"event": "slot", "name": k, "value": v} for k, v in earlier.items()),
                {"event": "action", "name": "action_signpost"},
                *([{"event": "restart"}] if restart else []),
                {"event": "user", "text": "", "parse_data": parse},
                *({"event": "slot", "name": k, "value": v} for k, v in now.items()),
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def test_form_adds_a_region_to_the_ones_described_before(dispatcher, domain):
    t = _two_turns({"body_region": ["eyes"], "symptom": ["blinking"]}, {"body_region": ["face_jaw"]})
    events = await ValidateSymptomForm().run(dispatcher, t, domain)
    assert SlotSet("body_region", ["eyes", "face_jaw"]) in events


async def test_form_forgets_earlier_regions_after_a_restart(dispatcher, domain):
    t = _two_turns({"body_region": ["neck"]}, {"body_region": ["hand_arm"]}, restart=True)
    events = await ValidateSymptomForm().run(dispatcher, t, domain)
    assert SlotSet("body_region", ["hand_arm"]) in events


async def test_form_asks_again_when_nothing_was_recognised(dispatcher, tracker, domain):
    t = tracker(slots={"requested_slot": "body_region"}, intent="describe_symptoms")
    events = await ValidateSymptomForm().run(dispatcher, t, domain)
    assert events == [SlotSet("body_region", None)]


async def test_form_lets_side_questions_through(dispatcher, tracker, domain):
    t = tracker(slots={"requested_slot": "body_region"}, intent="ask_pain")
    assert await ValidateSymptomForm().run(dispatcher, t, domain) == []


async def test_a_telling_pattern_is_enough(dispatcher, tracker, domain):
    t = tracker(slots={"requested_slot": None}, new_slots={"body_region": ["hand_arm"], "modifier": ["after_stroke"]})
    events = await ValidateSymptomForm().run(dispatcher, t, domain)
    assert events[-1] == SlotSet("requested_slot", None)


async def test_my_data_lists_what_is_kept(dispatcher, tracker, domain, knowledge_db):
    from actions.privacy import ActionMyData
    from signpost.conversations.repository import open_handoff, record_triage

    engine = make_engine(knowledge_db)
    with Session(engine, future=True) as s, s.begin():
        record_triage(s, "test-user", "rest", ["neck"], ["twisting"], [], ["cervical"])
        code = open_handoff(s, "test-user", "rest", reason="asked_for_person").code
    engine.dispose()
    await ActionMyData().run(dispatcher, tracker(intent="ask_my_data"), domain)
    first = dispatcher.messages[0]
    assert first["response"] == "utter_my_data" and first["retention"] == "30 days"
    items = first["items"].splitlines()
    assert items[0].startswith("• Your messages since") and ": 1, counting this one" in items[0]
    assert "Neck" in items[1] and "Cervical dystonia" in items[2] and code in items[3]
    assert responses(dispatcher)[-1] == "utter_disclaimer"


async def test_my_data_for_a_new_conversation_lists_only_the_question(dispatcher, tracker, domain):
    from actions.privacy import ActionMyData

    await ActionMyData().run(dispatcher, tracker(intent="ask_my_data"), domain)
    assert len(dispatcher.messages[0]["items"].splitlines()) == 1
