"""The SMS channel's limits as pure rules: the daily reply cap, the loop guard, digests,
and what is stored for them (replay cache, erasure, purge)."""

from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from signpost.conversations import sms_records
from signpost.conversations.forget_me import erase_conversation
from signpost.conversations.sms_records import (
    REPLAY_TTL,
    LoopLimits,
    SmsAnswer,
    SmsTraffic,
    Traffic,
    Verdict,
    next_traffic,
)
from signpost.language.sms_text import message_key, text_digest
from signpost.retention import purge
from signpost.schema import create_schema
from signpost.storage.engine import make_engine

NOW = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.timezone.utc)
LIMITS = LoopLimits(repeats=5, repeat_window=dt.timedelta(minutes=10), per_minute=30, quiet_for=dt.timedelta(hours=1))
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on a fresh database, SQLite and PostgreSQL in turn."""
    engine = make_engine(database_url)
    create_schema(engine)
    with Session(engine, future=True) as s:
        yield s
    engine.dispose()


def run(
    texts: list[str],
    gap: dt.timedelta,
    cap: int = 200,
    start: Traffic | None = None,
    red: frozenset[int] = frozenset(),
    at: dt.datetime = NOW,
):
    """Feed texts through the rule, `gap` apart from `at`; the verdicts and the final state."""
    traffic, verdicts, now = start or Traffic(day=at.date()), [], at
    for i, text in enumerate(texts):
        traffic, verdict = next_traffic(traffic, text_digest(b"k", text), now, cap, LIMITS, red_flag=i in red)
        verdicts.append(verdict)
        now += gap
    return verdicts, traffic


def test_the_cap_allows_exactly_cap_replies_a_day_then_holds():
    verdicts, traffic = run([f"message {i}" for i in range(5)], gap=dt.timedelta(minutes=5), cap=3)
    assert verdicts == [Verdict.REPLY] * 3 + [Verdict.CAPPED] * 2
    assert (traffic.replies, traffic.held) == (3, 2)


def test_a_red_flag_is_answered_over_the_cap_and_counted():
    verdicts, traffic = run(["a", "b", "c", "d"], gap=dt.timedelta(minutes=5), cap=2, red=frozenset({3}))
    assert verdicts == [Verdict.REPLY, Verdict.REPLY, Verdict.CAPPED, Verdict.REPLY]
    assert traffic.replies == 3


def test_the_cap_starts_again_on_the_next_utc_day():
    full = Traffic(day=NOW.date(), replies=3, held=7)
    late, _ = next_traffic(full, "d", NOW.replace(hour=23, minute=59), 3, LIMITS, False)
    assert late.held == 8
    next_day, verdict = next_traffic(full, "d", NOW + dt.timedelta(days=1), 3, LIMITS, False)
    assert verdict is Verdict.REPLY and (next_day.day, next_day.replies, next_day.held) == (
        (NOW + dt.timedelta(days=1)).date(),
        1,
        0,
    )


def test_the_same_text_five_times_running_starts_a_cool_down():
    verdicts, traffic = run(["Thanks, we will reply soon"] * 7, gap=20 * SECOND)
    assert verdicts == [Verdict.REPLY] * 4 + [Verdict.LOOP, Verdict.QUIET, Verdict.QUIET]
    assert traffic.loops == 1 and traffic.quiet_until == NOW + 4 * 20 * SECOND + LIMITS.quiet_for


def test_repeats_ignore_case_and_spacing_but_other_texts_break_the_run():
    assert run(["OK  thanks", "ok thanks", "Ok Thanks ", "ok thanks", "OK THANKS"], gap=SECOND)[0][-1] is Verdict.LOOP
    alternating = ["1", "2"] * 5  # a person choosing options is not a loop
    assert set(run(alternating, gap=30 * SECOND)[0]) == {Verdict.REPLY}


def test_repeats_far_apart_are_not_a_loop():
    verdicts, _ = run(["yes"] * 8, gap=LIMITS.repeat_window + SECOND)
    assert set(verdicts) == {Verdict.REPLY}


def test_more_than_per_minute_texts_in_a_minute_is_a_loop():
    verdicts, _ = run([f"text {i}" for i in range(32)], gap=SECOND)
    assert verdicts[:30] == [Verdict.REPLY] * 30 and verdicts[30:] == [Verdict.LOOP, Verdict.QUIET]
    slower, _ = run([f"text {i}" for i in range(40)], gap=2.5 * SECOND)  # 24 a minute
    assert set(slower) == {Verdict.REPLY}


def test_replies_resume_after_the_cool_down_and_a_loop_is_caught_again():
    _, quiet = run(["same"] * 5, gap=SECOND)
    later = NOW + LIMITS.quiet_for + dt.timedelta(minutes=5)
    traffic, verdict = next_traffic(quiet, text_digest(b"k", "same"), later, 200, LIMITS, False)
    assert verdict is Verdict.REPLY and traffic.quiet_until is None
    verdicts, again = run(["same"] * 4, gap=SECOND, start=traffic, at=later + SECOND)
    assert verdicts == [Verdict.REPLY] * 3 + [Verdict.LOOP] and again.loops == 2


def test_red_flags_are_answered_during_a_cool_down():
    verdicts, _ = run(["same"] * 6 + ["I can't breathe"], gap=SECOND, red=frozenset({6}))
    assert verdicts[4:] == [Verdict.LOOP, Verdict.QUIET, Verdict.REPLY]


def test_digests_and_message_keys_are_keyed_and_keep_no_text():
    assert text_digest(b"k", "My Neck") == text_digest(b"k", " my  neck ")
    assert text_digest(b"k", "my neck") != text_digest(b"other", "my neck")
    assert "neck" not in text_digest(b"k", "my neck")
    sid = "SM0123456789abcdef0123456789abcdef"
    key = message_key(b"k", sid, "sms-a", "my neck")
    assert key == message_key(b"k", sid, "sms-a", "my neck") and sid[2:] not in key
    others = [("other", sid, "sms-a", "my neck"), ("k", sid, "sms-b", "my neck"), ("k", sid, "sms-a", "my eyes")]
    assert all(message_key(k.encode(), s, c, b) != key for k, s, c, b in others)


def test_note_inbound_keeps_the_counts_in_the_table(session: Session):
    for i in range(3):
        with session.begin():
            _, verdict = sms_records.note_inbound(session, "sms-abc", f"d{i}", 2, LIMITS, False, now=NOW + i * SECOND)
    assert verdict is Verdict.CAPPED
    row = session.get(SmsTraffic, "sms-abc")
    assert (row.replies, row.held, row.day, row.digest) == (2, 1, NOW.date(), "d2")


def test_a_claimed_message_is_replayed_for_24_hours(session: Session):
    with session.begin():
        assert sms_records.claim_message(session, "key-1", "sms-abc", now=NOW) is None
    with session.begin():  # a copy while the first is being answered sees it pending
        pending = sms_records.claim_message(session, "key-1", "sms-abc", now=NOW + SECOND)
        assert pending is not None and not pending.answered
    with session.begin():
        sms_records.record_answer(session, "key-1", "Hello there", now=NOW + 2 * SECOND)
    with session.begin():
        row = sms_records.claim_message(session, "key-1", "sms-abc", now=NOW + REPLAY_TTL - SECOND)
        assert row is not None and (row.answered, row.reply) == (True, "Hello there")
    with session.begin():  # after 24 hours the same id is a new message
        assert sms_records.claim_message(session, "key-1", "sms-abc", now=NOW + REPLAY_TTL) is None
        assert not session.get(SmsAnswer, "key-1").answered


def test_a_stale_or_released_claim_lets_the_turn_run_again(session: Session):
    with session.begin():
        sms_records.claim_message(session, "key-2", "sms-abc", now=NOW)
    with session.begin():
        assert sms_records.claim_message(session, "key-2", "sms-abc", now=NOW + sms_records.PENDING_STALE) is None
    with session.begin():
        sms_records.release_message(session, "key-2")
    assert session.get(SmsAnswer, "key-2") is None


def test_an_answer_to_an_erased_conversation_no_longer_names_it(session: Session):
    with session.begin():
        sms_records.claim_message(session, "key-3", "sms-gone", now=NOW)
    with session.begin():
        erase_conversation(session, "sms-gone")  # forget-me, during the turn
        sms_records.record_answer(session, "key-3", "I have deleted this conversation", now=NOW)
    row = session.get(SmsAnswer, "key-3")
    assert row.conversation_id is None and row.answered


def test_forget_me_erases_the_counts_and_cached_replies(session: Session):
    with session.begin():
        sms_records.note_inbound(session, "sms-forget", "d", 200, LIMITS, False, now=NOW)
        sms_records.claim_message(session, "key-4", "sms-forget", now=NOW)
        sms_records.record_answer(session, "key-4", "a reply", now=NOW)
        sms_records.note_inbound(session, "sms-keep", "d", 200, LIMITS, False, now=NOW)
    with session.begin():
        counts = erase_conversation(session, "sms-forget")
    assert counts["sms_traffic"] == 1 and counts["sms_answers"] == 1
    assert session.get(SmsTraffic, "sms-keep") is not None


@pytest.mark.parametrize(
    "retention, kept",
    [(dt.timedelta(days=30), {"key-fresh"}), (dt.timedelta(hours=12), set())],
)
def test_purge_keeps_replies_for_24_hours_at_most(session: Session, retention, kept):
    now = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.timezone.utc)
    with session.begin():
        for key, age in (("key-old", REPLAY_TTL + SECOND), ("key-fresh", dt.timedelta(hours=13))):
            sms_records.claim_message(session, key, "sms-abc", now=now - age)
            sms_records.record_answer(session, key, "reply", now=now - age)
        sms_records.note_inbound(session, "sms-abc", "d", 200, LIMITS, False, now=now - dt.timedelta(days=2))
    with session.begin():
        counts = purge(session, retention, now=now)
    assert set(session.scalars(select(SmsAnswer.message_key))) == kept
    assert counts["sms_traffic"] == (1 if retention < dt.timedelta(days=2) else 0)
