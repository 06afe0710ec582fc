"""The handoff queue as the console shows it: one page at a time, with each entry's
triage summary, and a transcript only when one entry is asked for.

A page costs a fixed number of queries whatever its length: the handoffs, the
triage records of all their conversations, and the vocabulary and types once.
Functions take a Session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from signpost.conversations import live
from signpost.conversations.models import Handoff, TriageRecord
from signpost.conversations.overview import CHANNEL_NAMES
from signpost.conversations.transcript import transcript
from signpost.dialogue import SEVERITY_ORDER
from signpost.knowledge import repository as knowledge

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
ENTRY_TRANSCRIPT_LINES = 500


@dataclass(frozen=True)
class QueuePage:
    entries: list[dict[str, Any]]
    page: int
    limit: int
    total: int

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page * self.limit < self.total else None

    def as_json(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "next_page": self.next_page,
        }


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat()


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _summaries(session: Session, conversation_ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """Regions, symptoms and type names discussed in each conversation, in one query."""
    if not conversation_ids:
        return {}
    query = select(TriageRecord).where(TriageRecord.conversation_id.in_(set(conversation_ids)))
    records: dict[str, list[TriageRecord]] = {}
    for record in session.scalars(query.order_by(TriageRecord.id)):
        records.setdefault(str(record.conversation_id), []).append(record)
    terms = knowledge.terms(session)
    types = {t.id: t for t in knowledge.list_types(session)}
    out = {}
    for conversation_id in conversation_ids:
        recs = records.get(conversation_id, [])
        out[conversation_id] = {
            "regions": [terms[r].label for r in _unique([r for rec in recs for r in rec.regions]) if r in terms],
            "symptoms": [terms[s].label for s in _unique([s for rec in recs for s in rec.symptoms]) if s in terms],
            "types": [types[t].name for t in _unique([t for rec in recs for t in rec.types]) if t in types],
        }
    return out


def _entry(handoff: Handoff, summary: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "code": handoff.code,
        "channel": handoff.channel,
        "channel_name": CHANNEL_NAMES.get(handoff.channel or "", handoff.channel or "unknown channel"),
        "reason": handoff.reason,
        "red_flag": handoff.red_flag,
        "suspected_automation": bool(handoff.suspected_automation),
        "created_at": _iso(handoff.created_at),
        "updated_at": _iso(handoff.updated_at),
        "handled_at": _iso(handoff.handled_at),
        "handled_by": handoff.handled_by,
        "summary": summary,
    }


def queue_page(
    session: Session,
    include_handled: bool,
    page: int = 1,
    limit: int = DEFAULT_PAGE_SIZE,
    day: dt.date | None = None,
) -> QueuePage:
    """Open handoffs (or all; or those opened on one UTC `day`), red flags first (most
    serious first), then oldest first."""
    severity = case(*[(Handoff.red_flag == flag, rank) for rank, flag in enumerate(SEVERITY_ORDER, start=1)], else_=0)
    query = select(Handoff)
    counted = select(func.count()).select_from(Handoff)
    if not include_handled:
        query = query.where(Handoff.handled_at.is_(None))
        counted = counted.where(Handoff.handled_at.is_(None))
    if day is not None:
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
        within = (Handoff.created_at >= start, Handoff.created_at < start + dt.timedelta(days=1))
        query, counted = query.where(*within), counted.where(*within)
    rows = list(
        session.scalars(
            query.order_by(severity.desc(), Handoff.created_at, Handoff.id).offset((page - 1) * limit).limit(limit)
        )
    )
    summaries = _summaries(session, [str(h.conversation_id) for h in rows])
    taken = live.owners(session, [str(h.code) for h in rows])
    entries = [{**_entry(h, summaries[str(h.conversation_id)]), "taken_by": taken.get(str(h.code))} for h in rows]
    return QueuePage(entries=entries, page=page, limit=limit, total=int(session.scalar(counted) or 0))


def entry(session: Session, handoff: Handoff, transcript_lines: int | None = ENTRY_TRANSCRIPT_LINES) -> dict[str, Any]:
    """One queue entry, with the conversation's last `transcript_lines` messages (None: without)."""
    out = _entry(handoff, _summaries(session, [str(handoff.conversation_id)])[str(handoff.conversation_id)])
    if transcript_lines:
        out["transcript"] = [
            {"speaker": line.speaker, "text": line.text, "at": _iso(line.at)}
            for line in transcript(session, str(handoff.conversation_id), transcript_lines)
        ]
    return out
