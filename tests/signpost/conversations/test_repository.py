"""Conversation records on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from signpost.conversations.repository import record_contacts_given, record_triage, summarise, triage_records
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.storage.engine import make_engine


def test_summary_merges_every_answer_of_one_conversation(database_url, content):
    engine = make_engine(database_url)
    create_schema(engine)
    seed(engine, content)
    with Session(engine, future=True) as s:
        record_triage(s, "web-1", "socketio", ["neck"], ["twisting"], [], ["cervical"])
        record_triage(s, "web-1", "socketio", ["neck", "hand_arm"], ["tremor"], [], ["cervical", "writers_cramp"])
        record_triage(s, "sms-2", "sms", ["eyes"], ["blinking"], [], ["blepharospasm"])
        s.commit()
    with Session(engine, future=True) as s:
        assert len(triage_records(s, "web-1")) == 2
        summary = summarise(s, "web-1")
    engine.dispose()
    assert summary.regions[0] == "Neck" and len(summary.regions) == 2
    assert len(summary.symptoms) == 2
    assert [t.name for t in summary.types][0].startswith("Cervical dystonia")
    assert len(summary.types) == 2
    assert summary.contacts == [], "no reply showed a contact"
    assert summary.discussed_symptoms


def test_summary_lists_the_contacts_shown_once_each_and_only_this_conversations(database_url, content):
    engine = make_engine(database_url)
    create_schema(engine)
    seed(engine, content)
    with Session(engine, future=True) as s:
        record_contacts_given(s, "web-1", ["dystonia_uk"])
        record_contacts_given(s, "web-1", ["dystonia_uk", "brain_charity"])
        record_contacts_given(s, "web-2", ["samaritans"])
        s.commit()
    with Session(engine, future=True) as s:
        ids = [c.id for c in summarise(s, "web-1").contacts]
    engine.dispose()
    assert sorted(ids) == ["brain_charity", "dystonia_uk"]


def test_summary_of_an_unknown_conversation_is_empty(database_url, content):
    engine = make_engine(database_url)
    create_schema(engine)
    seed(engine, content)
    with Session(engine, future=True) as s:
        summary = summarise(s, "nobody")
    engine.dispose()
    assert not summary.discussed_symptoms
    assert summary.regions == [] and summary.types == []
    assert summary.contacts == []
