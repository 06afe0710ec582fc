"""Records that exist only for what the person was shown.

A custom action does not write conversation records itself: if Rasa gives up
waiting for it (and answers with its apology instead), the person never sees the
reply, so a record written by the action would describe something never shown.
Instead the action describes the record in the metadata of the bot message that
shows it (`RECORD_KEY`), and the tracker store, when it saves a turn, calls
`record_delivered` with that turn's new events: a signposting answer becomes a
conv_triage row (the GP summary), a reference code a conv_handoffs entry (the
staff queue), with the very code the message showed.

Why metadata on the bot message rather than a SlotSet of an unfeaturized slot:

- the record travels with the message that shows it. Rasa drops the message and
  the record together when the action is too slow; and when the knowledge base
  fails after the first message of a reply went out, that message's record is
  still kept.
- a message happens once. A slot keeps its value: Rasa's `action_session_start`
  sets every carried-over slot again in the new session, which would replay the
  last record, and every reader would have to tell a new record from an old value.
- nothing to declare in the domain and nothing for the policies to see: rasa-sdk
  passes the extra keyword arguments of `utter_message` through to the message's
  metadata, which Rasa stores with the event and the channels do not send.

Everything here but `record_delivered` is pure, and nothing imports Rasa, so the
action server (which runs on rasa-sdk alone) shares the record format.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Iterable, Mapping, Optional, Sequence

from sqlalchemy.orm import Session

from signpost.conversations import repository
from signpost.dialogue import RED_FLAG_CATEGORIES
from signpost.storage.clock import utcnow

logger = logging.getLogger(__name__)

#: The key of the bot message's metadata that holds its record.
RECORD_KEY = "signpost_record"
TRIAGE = "triage"
HANDOFF = "handoff"
CONTACTS = "contacts"
HANDOFF_REASONS = ("asked_for_person", "red_flag")

Record = dict[str, Any]


def triage_record(regions: list[str], symptoms: list[str], modifiers: list[str], types: list[str]) -> Record:
    """A signposting answer: what was described and the types the message named."""
    return {"kind": TRIAGE, "regions": regions, "symptoms": symptoms, "modifiers": modifiers, "types": types}


def contacts_record(contact_ids: list[str]) -> Record:
    """A reply that showed these contacts (knowledge ids): the GP summary lists only those."""
    return {"kind": CONTACTS, "ids": list(contact_ids)}


def handoff_record(
    code: Optional[str],
    reason: str,
    red_flag: Optional[str] = None,
    suspected_automation: bool = False,
    also_suspected: Sequence[str] = (),
) -> Record:
    """A handoff answer. `code` is the reference the message gave, or None when a cap
    kept it from opening an entry; `also_suspected` are codes of other entries that the
    same burst opened, to flag for staff."""
    return {
        "kind": HANDOFF,
        "code": code,
        "reason": reason,
        "red_flag": red_flag,
        "suspected_automation": suspected_automation,
        "also_suspected": list(also_suspected),
    }


def _as_dict(event: Any) -> Mapping[str, Any]:
    """An event as Rasa stores it: a dict, or a Rasa Event (through `as_dict`)."""
    if isinstance(event, Mapping):
        return event
    as_dict = getattr(event, "as_dict", None)
    return as_dict() if callable(as_dict) else {}


def _strings(value: Any) -> Optional[list[str]]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _valid(record: Any) -> Optional[Record]:
    """The record if it has the shape `triage_record` or `handoff_record` gives, else None."""
    if not isinstance(record, Mapping):
        return None
    if record.get("kind") == TRIAGE:
        fields = {k: _strings(record.get(k)) for k in ("regions", "symptoms", "modifiers", "types")}
        return {"kind": TRIAGE, **fields} if all(v is not None for v in fields.values()) else None
    if record.get("kind") == CONTACTS:
        ids = _strings(record.get("ids"))
        return contacts_record(ids) if ids is not None else None
    if record.get("kind") == HANDOFF:
        code, red_flag = record.get("code"), record.get("red_flag")
        also = _strings(record.get("also_suspected", []))
        if (
            (code is None or isinstance(code, str))
            and record.get("reason") in HANDOFF_REASONS
            and (red_flag is None or red_flag in RED_FLAG_CATEGORIES)
            and also is not None
        ):
            return handoff_record(code, record["reason"], red_flag, record.get("suspected_automation") is True, also)
    return None


def delivered_records(events: Iterable[Any]) -> list[tuple[float, Record]]:
    """(timestamp, record) for each bot message among `events` that carries a record, in order.

    A record of any other shape is left out (and logged), never guessed at."""
    found = []
    for event in map(_as_dict, events):
        if event.get("event") != "bot":
            continue
        raw = (event.get("metadata") or {}).get(RECORD_KEY)
        if raw is None:
            continue
        record = _valid(raw)
        if record is None:
            logger.warning("bot message with a malformed record left out")
            continue
        timestamp = event.get("timestamp")
        found.append((float(timestamp) if isinstance(timestamp, (int, float)) else 0.0, record))
    return found


def handoffs_since(events: Iterable[Any], since: float) -> int:
    """How many handoff answers among `events` (a conversation's, as the action server gets
    them) were delivered at or after `since` (seconds since the epoch)."""
    return sum(1 for at, record in delivered_records(events) if record["kind"] == HANDOFF and at >= since)


def record_delivered(
    session: Session,
    conversation_id: str,
    channel: Optional[str],
    new_events: Iterable[Any],
    now: Optional[dt.datetime] = None,
) -> int:
    """Write the records of the bot messages among a saved turn's `new_events`; how many.

    `new_events` are the events being added to the tracker store by this save (dicts
    as Rasa stores them, or Rasa Events), so each delivered message is recorded once.
    The caller commits, together with whatever else it writes for the turn.
    """
    now = now or utcnow()
    written = 0
    for _, record in delivered_records(new_events):
        if record["kind"] == CONTACTS:
            repository.record_contacts_given(session, conversation_id, record["ids"], now=now)
            written += 1
            continue
        if record["kind"] == TRIAGE:
            repository.record_triage(
                session,
                conversation_id,
                channel,
                record["regions"],
                record["symptoms"],
                record["modifiers"],
                record["types"],
                now=now,
            )
            written += 1
            continue
        if record["code"] is not None:
            repository.open_handoff(
                session,
                conversation_id,
                channel,
                record["reason"],
                record["red_flag"],
                now,
                code=record["code"],
                suspected_automation=record["suspected_automation"],
            )
            written += 1
        repository.mark_suspected(session, record["also_suspected"])
    return written
