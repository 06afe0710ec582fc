"""Live handoff records (signpost.conversations.live): taking, replies, notes, the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from signpost.conversations import live
from signpost.conversations.models import AuditEntry
from signpost.conversations.repository import open_handoff
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.storage.engine import make_engine


@pytest.fixture
def session(sqlite_url, content):
    engine = make_engine(sqlite_url)
    create_schema(engine)
    seed(engine, content)
    with Session(engine, future=True) as s:
        yield s
    engine.dispose()


def test_one_worker_takes_a_case_and_others_see_who_has_it(session):
    code = open_handoff(session, "web-1", "socketio", reason="asked_for_person").code
    live.take(session, code, "amira")
    live.take(session, code.lower(), "amira")  # taking your own case again is fine
    with pytest.raises(live.CaseError, match="amira has taken"):
        live.take(session, code, "ben")
    assert live.owners(session, [code]) == {code: "amira"}
    with pytest.raises(live.CaseError, match="Take the case"):
        live.add_reply(session, code, "ben", "hello")
    live.release(session, code, "amira")
    assert live.owner(session, code) is None
    live.take(session, code, "ben")


def test_replies_wait_until_delivered_and_a_widget_coming_back_gets_the_ones_it_missed(session):
    code = open_handoff(session, "web-1", "socketio", reason="asked_for_person").code
    live.take(session, code, "amira")
    first = live.add_reply(session, code, "amira", "  Hello,   I'm here. ")
    second = live.add_reply(session, code, "amira", "How can I help?")
    assert first.text == "Hello, I'm here."
    assert [r.id for r in live.undelivered(session, "web-1")] == [first.id, second.id]
    live.mark_delivered(session, [first.id])
    assert [r.id for r in live.undelivered(session, "web-1")] == [second.id]
    assert [r.text for r in live.replies_after(session, "web-1", first.id)] == ["How can I help?"]
    with pytest.raises(live.CaseError):
        live.add_reply(session, code, "amira", "   ")
    with pytest.raises(live.CaseError):
        live.add_reply(session, code, "amira", "x" * (live.MAX_REPLY_CHARS + 1))


def test_the_audit_log_names_who_did_what_and_never_the_text(session):
    code = open_handoff(session, "web-1", "socketio", reason="asked_for_person").code
    live.take(session, code, "amira")
    live.add_reply(session, code, "amira", "secret words of the reply")
    live.add_note(session, code, "amira", "private note words")
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(r.staff, r.action, r.code) for r in rows] == [
        ("amira", "take", code), ("amira", "reply", code), ("amira", "note", code),
    ]  # fmt: skip
    assert not any("words" in str(vars(r)) for r in rows)
    assert [n.text for n in live.notes(session, code)] == ["private note words"]


def test_the_queue_shows_who_has_a_case_and_finds_cases_by_day(session):
    import datetime as dt

    from signpost.staff.queue import queue_page

    code = open_handoff(session, "web-1", "socketio", reason="asked_for_person").code
    live.take(session, code, "amira")
    session.commit()
    today = dt.datetime.now(dt.timezone.utc).date()
    (entry,) = queue_page(session, include_handled=False, day=today).entries
    assert (entry["code"], entry["taken_by"]) == (code, "amira")
    assert queue_page(session, include_handled=False, day=today - dt.timedelta(days=1)).entries == []
