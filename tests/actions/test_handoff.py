"""The handoff action: the code it shows is the entry it describes, it writes nothing, and the caps."""

from __future__ import annotations

import time
from typing import Any, Iterator

import pytest
from rasa_sdk import Tracker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import actions.handoff
from actions.handoff import ActionHandoff, RecentEntries
from signpost.config import get_settings
from signpost.conversations.delivered import RECORD_KEY, handoff_record
from signpost.conversations.models import Handoff
from signpost.conversations.repository import open_handoff
from signpost.storage.engine import engine_for, make_engine

pytestmark = pytest.mark.usefixtures("knowledge_db")

HELPLINE = "020 7793 3650"


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch) -> Iterator[RecentEntries]:
    counts = RecentEntries()
    monkeypatch.setattr(actions.handoff, "recent_entries", counts)
    yield counts


@pytest.fixture
def caps(monkeypatch):
    """Small caps: two handoffs per conversation and two new entries per address an hour."""
    monkeypatch.setenv("HANDOFFS_PER_CONVERSATION_PER_HOUR", "2")
    monkeypatch.setenv("HANDOFFS_PER_ADDRESS_PER_HOUR", "2")
    get_settings.cache_clear()
    engine_for.cache_clear()


def handoff_tracker(
    sender: str = "conv-1", intent: str = "request_human", client: str | None = None, earlier: int = 0, ago_s=60.0
) -> Tracker:
    """A conversation whose latest message asks for a person, after `earlier` delivered handoffs."""
    metadata = {"client": client} if client else {}
    latest = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": "", "metadata": metadata}
    delivered = [
        {
            "event": "bot",
            "timestamp": time.time() - ago_s,
            "text": "...",
            "metadata": {RECORD_KEY: handoff_record("DYS-AAAA", "asked_for_person")},
        }
        for _ in range(earlier)
    ]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {},
            "latest_message": latest,
            "latest_input_channel": "rest",
            "events": [*delivered, {"event": "user", "text": "", "parse_data": latest, "input_channel": "rest"}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def entries(url: str) -> int:
    engine = make_engine(url)
    with Session(engine, future=True) as s:
        count = s.scalar(select(func.count()).select_from(Handoff))
    engine.dispose()
    return int(count or 0)


async def run(dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
    """The message that carries the handoff record; the reply ends with the disclaimer except
    after an emergency or a crisis answer, where it would read as cold."""
    await ActionHandoff().run(dispatcher, tracker, domain)
    intent = tracker.latest_message["intent"]["name"]
    last = dispatcher.messages[-1].get("response")
    if intent in ("red_flag_emergency", "red_flag_crisis"):
        assert "utter_disclaimer" not in (m.get("response") for m in dispatcher.messages)
    else:
        assert last == "utter_disclaimer"
    (message,) = [m for m in dispatcher.messages if (m.get(RECORD_KEY) or {}).get("kind") == "handoff"]
    return message


async def test_the_code_shown_is_the_code_recorded_and_nothing_is_written(knowledge_db, dispatcher, domain):
    message = await run(dispatcher, handoff_tracker(), domain)
    assert message["response"] == "utter_handoff"
    assert message["code"].startswith("DYS-") and message["phone"] == HELPLINE
    assert message[RECORD_KEY] == handoff_record(message["code"], "asked_for_person")
    assert entries(knowledge_db) == 0, "the entry waits until the reply is in the saved conversation"


async def test_a_red_flag_gets_its_own_wording(dispatcher, domain):
    message = await run(dispatcher, handoff_tracker(intent="red_flag_crisis"), domain)
    assert message["response"] == "utter_handoff_red_flag"
    assert message[RECORD_KEY]["reason"] == "red_flag" and message[RECORD_KEY]["red_flag"] == "crisis"


async def test_an_open_entry_keeps_its_code(knowledge_db, dispatcher, domain):
    engine = make_engine(knowledge_db)
    with Session(engine, future=True) as s, s.begin():
        code = open_handoff(s, "conv-1", "rest", "asked_for_person").code
    engine.dispose()
    message = await run(dispatcher, handoff_tracker(intent="red_flag_emergency"), domain)
    assert message["code"] == code and message[RECORD_KEY]["code"] == code


@pytest.mark.usefixtures("caps")
@pytest.mark.parametrize("earlier,ago_s,suspected", [(1, 60, False), (2, 60, True), (5, 2 * 3600, False)])
async def test_handoffs_per_conversation(earlier, ago_s, suspected, dispatcher, domain):
    message = await run(dispatcher, handoff_tracker(earlier=earlier, ago_s=ago_s), domain)
    assert message[RECORD_KEY]["suspected_automation"] is suspected
    if suspected:  # no entry of its own: the helpline's number, no code, no new entry
        assert message["response"] == "utter_helpline" and message["phone"] == HELPLINE
        assert message[RECORD_KEY]["code"] is None
    else:
        assert message["response"] == "utter_handoff" and message[RECORD_KEY]["code"] == message["code"]


@pytest.mark.usefixtures("caps")
async def test_beyond_the_cap_an_open_entry_is_flagged_and_still_given(knowledge_db, dispatcher, domain):
    engine = make_engine(knowledge_db)
    with Session(engine, future=True) as s, s.begin():
        code = open_handoff(s, "conv-1", "rest", "asked_for_person").code
    engine.dispose()
    message = await run(dispatcher, handoff_tracker(earlier=3), domain)
    assert message["code"] == code
    assert message[RECORD_KEY] == handoff_record(code, "asked_for_person", suspected_automation=True)


@pytest.mark.usefixtures("caps")
async def test_new_entries_per_address(domain):
    from rasa_sdk.executor import CollectingDispatcher

    codes = []
    for n in range(2):
        message = await run(CollectingDispatcher(), handoff_tracker(f"conv-{n}", client="addr-a"), domain)
        assert message[RECORD_KEY]["suspected_automation"] is False
        codes.append(message["code"])
    third = await run(CollectingDispatcher(), handoff_tracker("conv-2", client="addr-a"), domain)
    assert third["response"] == "utter_helpline" and third["phone"] == HELPLINE
    assert third[RECORD_KEY] == handoff_record(None, "asked_for_person", None, True, codes)
    elsewhere = await run(CollectingDispatcher(), handoff_tracker("conv-3", client="addr-b"), domain)
    assert elsewhere["response"] == "utter_handoff" and not elsewhere[RECORD_KEY]["suspected_automation"]
    unknown = await run(CollectingDispatcher(), handoff_tracker("conv-4"), domain)
    assert unknown["response"] == "utter_handoff", "no address, no address cap"


def test_recent_entries_forget_after_an_hour():
    now = [1000.0]
    counts = RecentEntries(clock=lambda: now[0])
    counts.add("a", "DYS-AAAA")
    now[0] += 1800
    counts.add("a", "DYS-BBBB")
    assert counts.codes("a") == ["DYS-AAAA", "DYS-BBBB"] and counts.codes("b") == []
    now[0] += 1801
    assert counts.codes("a") == ["DYS-BBBB"]


@pytest.mark.usefixtures("caps")
async def test_red_flags_beyond_the_address_cap_still_open_their_entry_and_do_not_use_up_requests(domain):
    from rasa_sdk.executor import CollectingDispatcher

    flags = [
        await run(CollectingDispatcher(), handoff_tracker(f"flag-{n}", "red_flag_emergency", client="addr-a"), domain)
        for n in range(3)
    ]
    assert all(f["response"] == "utter_handoff_red_flag" and f["code"] for f in flags)
    assert [f[RECORD_KEY]["suspected_automation"] for f in flags] == [False, False, True]
    person = await run(CollectingDispatcher(), handoff_tracker("person-1", client="addr-a"), domain)
    assert person["response"] == "utter_handoff" and not person[RECORD_KEY]["suspected_automation"]
