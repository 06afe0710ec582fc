"""Forget-me, the age purge and "what do you know about me", on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session

from signpost.__main__ import main
from signpost.config import describe_duration, get_settings, parse_duration
from signpost.conversations import sms_records
from signpost.conversations.forget_me import stored_data
from signpost.conversations.repository import open_handoff, record_triage, touch_conversation
from signpost.knowledge.seed import seed
from signpost.rasa_plugins.tracker_store import SignpostTrackerStore, forget_requested
from signpost.retention import purge
from signpost.schema import create_schema
from signpost.staff import accounts
from signpost.storage.engine import engine_for, make_engine
from tests.tables import tables_mentioning

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


@pytest.fixture
def store(database_url, content, monkeypatch):
    """The real tracker store on a seeded database."""
    engine = make_engine(database_url)
    create_schema(engine)
    seed(engine, content)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    engine_for.cache_clear()
    tracker_store = SignpostTrackerStore(domain=Domain.empty())
    yield tracker_store
    tracker_store.engine.dispose()
    get_settings.cache_clear()
    engine_for.cache_clear()


def turn(text: str, at: dt.datetime, reply: str = "utter_greet") -> list[Event]:
    ts = at.timestamp()
    return [
        UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=ts),
        ActionExecuted(reply, timestamp=ts + 1),
        BotUttered("a reply", timestamp=ts + 1),
        ActionExecuted("action_listen", timestamp=ts + 2),
    ]


async def save_conversation(store: SignpostTrackerStore, cid: str, events: list[Event]) -> None:
    await store.save(DialogueStateTracker.from_events(cid, events))


def add_records(database_url: str, cid: str, at: dt.datetime, channel: str = "rest") -> None:
    """Everything our own tables can hold about a conversation."""
    engine = make_engine(database_url)
    with Session(engine, future=True) as s, s.begin():
        touch_conversation(s, cid, channel, at)
        record_triage(s, cid, channel, ["neck"], ["twisting"], [], ["cervical"], now=at)
        open_handoff(s, cid, channel, reason="asked_for_person", now=at)
        sms_records.opt_out(s, cid)  # (an opt-out clears saved options, so it goes first)
        sms_records.save_options(s, cid, {"1": "my neck"})
    engine.dispose()


async def test_forget_me_erases_every_row_of_the_conversation_and_only_that(store, database_url):
    await save_conversation(store, "forget-1", turn("my neck pulls, I am Jo Bloggs", NOW))
    await save_conversation(store, "keep-1", turn("my eyes keep blinking", NOW))
    for cid in ("forget-1", "keep-1"):
        add_records(database_url, cid, NOW)
    assert set(tables_mentioning(database_url, "forget-1")) >= {"events", "conv_triage", "conv_handoffs"}

    events = [*turn("my neck pulls, I am Jo Bloggs", NOW), *turn("yes, delete it", NOW + DAY, "utter_forgotten")]
    await save_conversation(store, "forget-1", events)

    assert tables_mentioning(database_url, "forget-1") == {}
    assert tables_mentioning(database_url, "Jo Bloggs") == {}
    assert tables_mentioning(database_url, "delete it") == {}  # the confirmation is not stored either
    kept = tables_mentioning(database_url, "keep-1")
    assert set(kept) == {"events", "conv_triage", "conv_conversations", "conv_handoffs", "sms_options", "sms_opt_outs"}
    assert await store.retrieve("forget-1") is None


def test_forget_is_requested_only_by_the_latest_turn():
    forgotten_then_more = [*turn("delete my data", NOW, "utter_forgotten"), *turn("hello again", NOW + DAY)]
    assert forget_requested(DialogueStateTracker.from_events("a", turn("yes", NOW, "utter_forgotten")))
    assert not forget_requested(DialogueStateTracker.from_events("a", forgotten_then_more))
    assert not forget_requested(DialogueStateTracker.from_events("a", turn("hello", NOW)))


async def test_purge_by_age_with_a_controlled_clock(store, database_url):
    await save_conversation(store, "conv-old-7f3a", turn("an old chat", NOW - 40 * DAY))
    add_records(database_url, "conv-old-7f3a", NOW - 40 * DAY)
    await save_conversation(store, "conv-recent-2b9c", turn("a recent chat", NOW - 5 * DAY))
    add_records(database_url, "conv-recent-2b9c", NOW - 5 * DAY)
    engine = make_engine(database_url)
    with Session(engine, future=True) as s, s.begin():  # a handoff with no events left
        touch_conversation(s, "conv-none-5d1e", "sms", NOW - 31 * DAY)
        open_handoff(s, "conv-none-5d1e", "sms", reason="red_flag", red_flag="crisis", now=NOW - 31 * DAY)

    with Session(engine, future=True) as s, s.begin():
        counts = purge(s, parse_duration("30d"), now=NOW)
    assert counts["events"] == 4 and counts["conv_handoffs"] == 2 and counts["conv_triage"] == 1
    assert set(tables_mentioning(database_url, "conv-old-7f3a")) == {"sms_opt_outs"}  # STOP is still honoured
    assert tables_mentioning(database_url, "conv-none-5d1e") == {}
    assert "events" in tables_mentioning(database_url, "conv-recent-2b9c")

    with Session(engine, future=True) as s, s.begin():  # 26 days later the recent one is 31 days old
        purge(s, parse_duration("30d"), now=NOW + 26 * DAY)
    assert set(tables_mentioning(database_url, "conv-recent-2b9c")) == {"sms_opt_outs"}
    engine.dispose()


def test_purge_removes_expired_staff_sessions_and_old_login_failures(engine):
    with Session(engine, future=True) as s, s.begin():
        user = accounts.add_user(s, "sam", "quiet harbour lantern 1987", now=NOW - 40 * DAY)
        s.flush()
        accounts.start_session(s, user.id, now=NOW - 40 * DAY)
        live = accounts.start_session(s, user.id, now=NOW)
        keys = accounts.failure_keys("test-secret", "sam", "10.0.0.1")
        attempt = accounts.begin_attempt(s, keys, "sam", now=NOW - 40 * DAY)  # a failed sign-in, 40 days ago
        assert not accounts.password_matches(attempt.password_hash, "wrong")
    with Session(engine, future=True) as s, s.begin():
        counts = purge(s, parse_duration("30d"), now=NOW)
    assert counts["staff_sessions"] == 1 and counts["staff_login_failures"] == 2
    with Session(engine, future=True) as s:
        assert accounts.signed_in(s, live, now=NOW) is not None


def test_purge_command_uses_the_retention_setting(store, database_url, capsys, monkeypatch):
    now = dt.datetime.now(dt.timezone.utc)
    add_records(database_url, "conv-ten-days-9e8d", now - 10 * DAY)
    monkeypatch.setenv("RETENTION", "7d")
    get_settings.cache_clear()
    assert main(["purge"]) == 0
    assert "older than 7 days" in capsys.readouterr().out
    assert set(tables_mentioning(database_url, "conv-ten-days-9e8d")) == {"sms_opt_outs"}
    assert main(["purge", "--older-than", "soon"]) == 2
    assert "not a duration" in capsys.readouterr().err


async def test_stored_data_describes_the_conversation(store, database_url):
    await save_conversation(store, "conv-mine-4c2a", [*turn("my neck", NOW), *turn("it twists", NOW + DAY)])
    add_records(database_url, "conv-mine-4c2a", NOW)
    engine = make_engine(database_url)
    with Session(engine, future=True) as s:
        data = stored_data(s, "conv-mine-4c2a")
        nothing = stored_data(s, "someone-else")
    engine.dispose()
    assert data.messages == 2 and data.first_at == NOW
    assert data.summary.regions == ["Neck"] and data.codes[0].startswith("DYS-")
    assert not nothing.anything and nothing.first_at is None


@pytest.mark.parametrize(
    ("text", "hours", "described"),
    [
        ("30d", 720, "30 days"),
        ("1d", 24, "1 day"),
        ("12h", 12, "12 hours"),
        ("2w", 336, "14 days"),
        (" 7D ", 168, "7 days"),
    ],
)
def test_durations(text, hours, described):
    assert parse_duration(text) == dt.timedelta(hours=hours)
    assert describe_duration(parse_duration(text)) == described


@pytest.mark.parametrize("text", ["", "30", "d", "0d", "-3d", "3 months", "1.5d"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)
