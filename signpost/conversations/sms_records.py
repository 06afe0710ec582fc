"""What the SMS channel remembers: numbered options, opt-outs, traffic and answered messages.

Keyed by the hashed conversation id (and, for answers, a keyed hash of the
MessageSid with its sender and text); no phone number and no inbound text is
stored, only the replies that were sent.

- `SmsTraffic`, one row per conversation: replies sent today (UTC) against the
  daily cap, and the recent inbound pattern the loop guard reads (a keyed digest
  of the last text, how often it came in a row, texts in the current minute, and
  the end of a cool-down). `next_traffic` is the pure rule.
- `SmsAnswer`, one row per MessageSid for REPLAY_TTL: the reply that was sent,
  so a provider's retry of the same message gets the same TwiML without running
  the turn again.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace
from typing import Callable

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Text, delete
from sqlalchemy.orm import Session

from signpost.storage.base import Base, UtcDateTime
from signpost.storage.clock import utcnow

REPLAY_TTL = dt.timedelta(hours=24)
PENDING_STALE = dt.timedelta(minutes=1)
MINUTE = dt.timedelta(minutes=1)


_now = utcnow


class SmsOptions(Base):
    __tablename__ = "sms_options"
    conversation_id = Column(String(64), primary_key=True)
    options = Column(JSON, nullable=False)
    updated_at = Column(UtcDateTime, nullable=False, default=_now)


class SmsOptOut(Base):
    __tablename__ = "sms_opt_outs"
    conversation_id = Column(String(64), primary_key=True)
    since = Column(UtcDateTime, nullable=False, default=_now)


class SmsTraffic(Base):
    """Counts for one conversation's limits (times are naive UTC)."""

    __tablename__ = "sms_traffic"
    conversation_id = Column(String(64), primary_key=True)
    day = Column(Date, nullable=False)  # the UTC day `replies` counts
    replies = Column(Integer, nullable=False, default=0)
    held = Column(Integer, nullable=False, default=0)  # texts not answered today (cap or loop)
    digest = Column(String(32))  # keyed digest of the last inbound text
    repeats = Column(Integer, nullable=False, default=0)  # that text, in a row
    last_at = Column(UtcDateTime)
    minute_start = Column(UtcDateTime)
    minute_count = Column(Integer, nullable=False, default=0)
    quiet_until = Column(UtcDateTime)  # the loop guard's cool-down
    loops = Column(Integer, nullable=False, default=0)  # loops detected so far
    updated_at = Column(UtcDateTime, nullable=False, default=_now)


class SmsCallback(Base):
    """The encrypted number of a person who agreed to be texted back (signpost.conversations.callbacks)."""

    __tablename__ = "sms_callbacks"
    conversation_id = Column(String(64), primary_key=True)
    number = Column(Text, nullable=False)  # Fernet token of the E.164 number
    created_at = Column(UtcDateTime, nullable=False)


class SmsAnswer(Base):
    """The reply sent to one inbound message (None: an empty TwiML answer); pending until `answered`."""

    __tablename__ = "sms_answers"
    message_key = Column(String(64), primary_key=True)  # keyed hash of the MessageSid, sender and text
    conversation_id = Column(String(64), index=True)  # None after the conversation was erased
    reply = Column(Text)
    answered = Column(Boolean, nullable=False, default=False)
    created_at = Column(UtcDateTime, nullable=False, index=True)


# --- numbered options and opt-outs ---------------------------------------------------------


MORE_KEY = "more"  # the options' entry that holds a reply's rest, sent on MORE
CALLBACK_KEY = "callback"  # the options' entry set while "may we text you back?" waits for YES or NO


def save_options(session: Session, conversation_id: str, options: dict[str, str]) -> None:
    """Keep the numbered options a reply offered ("1" -> payload), and under MORE_KEY the
    part of it held back for MORE."""
    row = session.get(SmsOptions, conversation_id)
    if not options:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(SmsOptions(conversation_id=conversation_id, options=options, updated_at=_now()))
    else:
        row.options, row.updated_at = options, _now()


def option_payload(session: Session, conversation_id: str, reply: str) -> str | None:
    """The payload of a numbered option the person replied with."""
    row = session.get(SmsOptions, conversation_id)
    number = reply.strip()
    return (row.options or {}).get(number) if row and number.isdigit() else None


def next_more(session: Session, conversation_id: str, split: Callable[[str], tuple[str, str | None]]) -> str | None:
    """The next part of the reply held back for MORE (None when nothing is held), keeping
    what is left after it; `split` cuts the held text into (this part, the rest)."""
    row = session.get(SmsOptions, conversation_id)
    held = (row.options or {}).get(MORE_KEY) if row is not None else None
    if row is None or not held:
        return None
    part, left = split(str(held))
    options = {k: v for k, v in row.options.items() if k != MORE_KEY}
    row.options, row.updated_at = ({**options, MORE_KEY: left} if left else options), _now()
    return part


def callback_asked(session: Session, conversation_id: str) -> bool:
    row = session.get(SmsOptions, conversation_id)
    return bool(row is not None and (row.options or {}).get(CALLBACK_KEY) == "ask")


def answer_callback(session: Session, conversation_id: str) -> None:
    row = session.get(SmsOptions, conversation_id)
    if row is not None:
        row.options = {k: v for k, v in (row.options or {}).items() if k != CALLBACK_KEY}
        row.updated_at = _now()


def is_opted_out(session: Session, conversation_id: str) -> bool:
    return session.get(SmsOptOut, conversation_id) is not None


def opt_out(session: Session, conversation_id: str) -> None:
    if not is_opted_out(session, conversation_id):
        session.add(SmsOptOut(conversation_id=conversation_id, since=_now()))
    session.execute(delete(SmsOptions).where(SmsOptions.conversation_id == conversation_id))


def opt_in(session: Session, conversation_id: str) -> None:
    session.execute(delete(SmsOptOut).where(SmsOptOut.conversation_id == conversation_id))


# --- daily cap and loop guard ----------------------------------------------------------------


@dataclass(frozen=True)
class LoopLimits:
    """When texts from one number look like another machine answering us.

    The same text `repeats` times in a row (each within `repeat_window` of the one
    before), or more than `per_minute` texts in one minute, starts a cool-down of
    `quiet_for` with no replies. A person rarely sends one text five times running,
    and cannot type a text every two seconds; an auto-responder answering each of
    our replies does both.
    """

    repeats: int = 5
    repeat_window: dt.timedelta = dt.timedelta(minutes=10)
    per_minute: int = 30
    quiet_for: dt.timedelta = dt.timedelta(hours=1)


class Verdict(enum.Enum):
    REPLY = "reply"
    CAPPED = "capped"  # the daily reply cap is reached
    LOOP = "loop"  # this text started a cool-down
    QUIET = "quiet"  # within a cool-down


@dataclass(frozen=True)
class Traffic:
    """The pure form of an SmsTraffic row."""

    day: dt.date
    replies: int = 0
    held: int = 0
    digest: str | None = None
    repeats: int = 0
    last_at: dt.datetime | None = None
    minute_start: dt.datetime | None = None
    minute_count: int = 0
    quiet_until: dt.datetime | None = None
    loops: int = 0


_TRAFFIC_FIELDS = tuple(Traffic.__dataclass_fields__)


def next_traffic(
    traffic: Traffic, digest: str, now: dt.datetime, cap: int, limits: LoopLimits, red_flag: bool
) -> tuple[Traffic, Verdict]:
    """Count one inbound text and decide whether it gets a reply.

    A red flag is always answered (and counted), whatever the cap or the loop guard say.
    """
    t = traffic if traffic.day == now.date() else replace(traffic, day=now.date(), replies=0, held=0)
    in_a_row = digest == t.digest and t.last_at is not None and now - t.last_at <= limits.repeat_window
    repeats = t.repeats + 1 if in_a_row else 1
    same_minute = t.minute_start is not None and now - t.minute_start < MINUTE
    minute_start, minute_count = (t.minute_start, t.minute_count + 1) if same_minute else (now, 1)
    quiet_until = t.quiet_until if t.quiet_until is not None and t.quiet_until > now else None
    t = replace(t, digest=digest, repeats=repeats, last_at=now, minute_start=minute_start, minute_count=minute_count)
    t = replace(t, quiet_until=quiet_until)
    verdict = Verdict.REPLY
    if repeats >= limits.repeats or minute_count > limits.per_minute:
        # Counting starts again, so after the cool-down a loop needs as many texts to be caught again.
        t = replace(t, quiet_until=now + limits.quiet_for, loops=t.loops + 1, repeats=0, minute_count=0)
        verdict = Verdict.QUIET if quiet_until is not None else Verdict.LOOP
    elif quiet_until is not None:
        verdict = Verdict.QUIET
    elif t.replies >= cap:
        verdict = Verdict.CAPPED
    if red_flag or verdict is Verdict.REPLY:
        return replace(t, replies=t.replies + 1), Verdict.REPLY
    return replace(t, held=t.held + 1), verdict


def note_inbound(
    session: Session,
    conversation_id: str,
    digest: str,
    cap: int,
    limits: LoopLimits,
    red_flag: bool,
    now: dt.datetime | None = None,
) -> tuple[Traffic, Verdict]:
    """`next_traffic` on the conversation's stored row, which it updates."""
    now = now or _now()
    row = session.get(SmsTraffic, conversation_id, with_for_update=True)
    if row is None:
        row = SmsTraffic(conversation_id=conversation_id)
        session.add(row)
        before = Traffic(day=now.date())
    else:
        before = Traffic(**{name: getattr(row, name) for name in _TRAFFIC_FIELDS})
    after, verdict = next_traffic(before, digest, now, cap, limits, red_flag)
    for name in _TRAFFIC_FIELDS:
        setattr(row, name, getattr(after, name))
    row.updated_at = now
    return after, verdict


# --- answered messages (replays) -------------------------------------------------------------


def claim_message(
    session: Session, message_key: str, conversation_id: str, now: dt.datetime | None = None
) -> SmsAnswer | None:
    """The stored answer to this message if it came within REPLAY_TTL (possibly still pending);
    otherwise None, after noting the message as pending (the caller runs the turn).

    A claim pending for longer than PENDING_STALE is taken over (its process stopped
    mid-turn). Two requests claiming one new message at once: the second commit
    fails on the key.
    """
    now = now or _now()
    row = session.get(SmsAnswer, message_key, with_for_update=True)
    if row is not None and now - row.created_at < (REPLAY_TTL if row.answered else PENDING_STALE):
        return row
    if row is None:
        session.add(SmsAnswer(message_key=message_key, conversation_id=conversation_id, created_at=now))
    else:  # an expired entry the purge has not reached yet
        row.conversation_id, row.reply, row.answered, row.created_at = conversation_id, None, False, now
    return None


def record_answer(session: Session, message_key: str, reply: str | None, now: dt.datetime | None = None) -> None:
    """Store the reply sent to a claimed message.

    A claim that is gone was erased with its conversation during the turn (forget-me):
    the answer is kept for replays, but no longer names the conversation.
    """
    row = session.get(SmsAnswer, message_key)
    if row is None:
        row = SmsAnswer(message_key=message_key, conversation_id=None, created_at=now or _now())
        session.add(row)
    row.reply, row.answered = reply, True


def release_message(session: Session, message_key: str) -> None:
    """Forget a pending claim (its turn failed), so a retry runs the turn."""
    session.execute(delete(SmsAnswer).where(SmsAnswer.message_key == message_key, SmsAnswer.answered.is_(False)))
