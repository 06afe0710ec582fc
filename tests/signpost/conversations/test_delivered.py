"""Records written from the saved turn's bot messages, and only from those."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from sqlalchemy import select

from signpost.conversations.delivered import (
    RECORD_KEY,
    delivered_records,
    handoff_record,
    handoffs_since,
    record_delivered,
    triage_record,
)
from signpost.conversations.models import Handoff
from signpost.conversations.repository import find_handoff, mark_handled, open_handoff, queue, triage_records

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)
TRIAGE = triage_record(["neck"], ["head_turning"], [], ["cervical"])


def bot(record: Any = None, timestamp: float = 1000.0, **metadata: Any) -> dict[str, Any]:
    """A bot message as Rasa stores it (BotUttered.as_dict), with `record` in its metadata."""
    if record is not None:
        metadata[RECORD_KEY] = record
    return {"event": "bot", "timestamp": timestamp, "text": "...", "data": {}, "metadata": metadata}


USER = {"event": "user", "timestamp": 999.0, "text": "hi", "parse_data": {}, "metadata": {RECORD_KEY: TRIAGE}}
ACTION = {"event": "action", "timestamp": 999.5, "name": "action_signpost", "metadata": {RECORD_KEY: TRIAGE}}
SLOT = {"event": "slot", "timestamp": 999.6, "name": "suggested_types", "value": ["cervical"]}


def test_only_bot_messages_carry_records():
    events = [USER, ACTION, SLOT, bot(), bot(TRIAGE, 1001.0), bot(utter_action="utter_disclaimer")]
    assert delivered_records(events) == [(1001.0, TRIAGE)]


@pytest.mark.parametrize(
    "record",
    [
        "triage",
        {"kind": "triage"},
        {**TRIAGE, "types": "cervical"},
        {**TRIAGE, "regions": [1]},
        {"kind": "something else"},
        {**handoff_record("DYS-AAAA", "asked_for_person"), "reason": "because"},
        {**handoff_record("DYS-AAAA", "red_flag", "mild"), "red_flag": "mild"},
        {**handoff_record("DYS-AAAA", "asked_for_person"), "code": 7},
        {**handoff_record(None, "asked_for_person"), "also_suspected": "DYS-AAAA"},
    ],
)
def test_a_malformed_record_is_left_out(record, caplog):
    with caplog.at_level(logging.WARNING):
        assert delivered_records([bot(record)]) == []
    assert "malformed record" in caplog.text


def test_handoffs_since_counts_delivered_handoffs_only():
    asked = handoff_record("DYS-AAAA", "asked_for_person")
    events = [bot(asked, 100.0), bot(TRIAGE, 200.0), bot(asked, 300.0), bot(handoff_record(None, "red_flag"), 400.0)]
    assert handoffs_since(events, 0) == 3
    assert handoffs_since(events, 300.0) == 2
    assert handoffs_since(events, 401.0) == 0


def test_a_signposting_answer_becomes_a_triage_record(session):
    assert record_delivered(session, "conv-1", "socketio", [USER, bot(TRIAGE), bot()], NOW) == 1
    (row,) = triage_records(session, "conv-1")
    assert (row.channel, row.regions, row.symptoms, row.types, row.created_at) == (
        "socketio",
        ["neck"],
        ["head_turning"],
        ["cervical"],
        NOW.replace(tzinfo=row.created_at.tzinfo),
    )


def test_a_turn_without_the_actions_messages_records_nothing(session):
    """Rasa gave up on the action and apologised: the turn holds only the apology."""
    apology = bot(utter_action="utter_service_problem")
    assert record_delivered(session, "conv-1", "rest", [USER, ACTION, apology], NOW) == 0
    assert triage_records(session, "conv-1") == [] and queue(session) == []


def test_a_handoff_opens_the_entry_with_the_code_shown(session):
    record_delivered(session, "conv-1", "sms", [bot(handoff_record("DYS-7K3Q", "red_flag", "crisis"))], NOW)
    entry = find_handoff(session, "dys 7k3q")
    assert entry is not None
    assert (entry.conversation_id, entry.channel, entry.reason, entry.red_flag) == (
        "conv-1",
        "sms",
        "red_flag",
        "crisis",
    )
    assert entry.suspected_automation is False


def test_the_same_code_again_brings_the_entry_up_to_date(session):
    record_delivered(session, "conv-1", "rest", [bot(handoff_record("DYS-7K3Q", "asked_for_person"))], NOW)
    again = [bot(handoff_record("DYS-7K3Q", "red_flag", "emergency", suspected_automation=True))]
    record_delivered(session, "conv-1", "rest", again, NOW + dt.timedelta(minutes=5))
    (entry,) = queue(session)
    assert (entry.code, entry.reason, entry.red_flag, entry.suspected_automation) == (
        "DYS-7K3Q",
        "red_flag",
        "emergency",
        True,
    )


def test_an_entry_handled_while_its_code_was_given_again_is_reopened(session):
    code = open_handoff(session, "conv-1", "rest", "asked_for_person", now=NOW).code
    mark_handled(session, code, "alice", NOW)
    record_delivered(session, "conv-1", "rest", [bot(handoff_record(code, "asked_for_person"))], NOW)
    assert [h.code for h in queue(session)] == [code]


def test_a_code_drawn_twice_at_once_gives_the_later_conversation_another(session, caplog):
    record_delivered(session, "conv-1", "rest", [bot(handoff_record("DYS-7K3Q", "asked_for_person"))], NOW)
    with caplog.at_level(logging.ERROR):
        record_delivered(session, "conv-2", "rest", [bot(handoff_record("DYS-7K3Q", "asked_for_person"))], NOW)
    assert "drawn twice" in caplog.text
    first, second = sorted(queue(session), key=lambda h: h.conversation_id)
    assert first.code == "DYS-7K3Q" and first.conversation_id == "conv-1"
    assert second.conversation_id == "conv-2" and second.code != "DYS-7K3Q"


def test_beyond_a_cap_no_entry_is_opened_and_the_burst_is_flagged(session):
    a = open_handoff(session, "conv-1", "rest", "red_flag", "emergency", NOW).code
    b = open_handoff(session, "conv-2", "rest", "red_flag", "emergency", NOW).code
    refused = bot(handoff_record(None, "red_flag", "emergency", suspected_automation=True, also_suspected=[a, b]))
    assert record_delivered(session, "conv-3", "rest", [refused], NOW) == 0
    rows = list(session.scalars(select(Handoff).order_by(Handoff.id)))
    assert [(h.conversation_id, h.suspected_automation) for h in rows] == [("conv-1", True), ("conv-2", True)]


def test_rasa_events_are_accepted_as_they_are(session):
    from rasa.shared.core.events import BotUttered, UserUttered

    events = [UserUttered("hi"), BotUttered("...", metadata={RECORD_KEY: TRIAGE})]
    assert record_delivered(session, "conv-1", None, events, NOW) == 1


async def test_through_rasa_the_reply_and_the_queue_show_the_same_code(session, knowledge_db, domain):
    """The action's messages turned into bot messages by Rasa's own code, as a remote action's are."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.handoff import ActionHandoff

    latest = {"intent": {"name": "request_human", "confidence": 1.0}, "entities": [], "text": ""}
    tracker = Tracker("conv-1", {}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, tracker, domain)

    nlg = TemplatedNaturalLanguageGenerator(domain["responses"])
    uttered = await RemoteAction._utter_responses(
        dispatcher.messages, CollectingOutputChannel(), nlg, DialogueStateTracker("conv-1", [])
    )
    saved = [e.as_dict() for e in uttered]
    assert record_delivered(session, "conv-1", "rest", saved, NOW) == 2, "the queue entry and the contact it gave"
    (entry,) = queue(session)
    assert entry.code in saved[0]["text"]
    assert "Give them this reference" in saved[0]["text"]
