"""Weekly counts for the staff overview: how many conversations, by channel, by body
region and by type suggested, and how many red flags, so the charity can see demand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from signpost.conversations.models import ConversationRow, Handoff, TriageRecord
from signpost.knowledge import repository as knowledge
from signpost.storage.clock import utcnow

CHANNEL_NAMES = {"socketio": "Website", "sms": "SMS", "rest": "REST API"}


@dataclass(frozen=True)
class Series:
    name: str
    counts: list[int]  # one per week, oldest first

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Chart:
    title: str
    weeks: list[dt.date]  # the Monday of each week
    series: list[Series]


def monday(moment: dt.datetime) -> dt.date:
    day = moment.date()
    return day - dt.timedelta(days=day.weekday())


def _chart(title: str, weeks: list[dt.date], pairs: set[tuple[str, dt.date, str]], names: dict[str, str]) -> Chart:
    """Count distinct conversations per (series, week) from (series, week, conversation) triples."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    index = {w: i for i, w in enumerate(weeks)}
    for key, week, _conversation in pairs:
        counts[key][index[week]] += 1
    series = [Series(names.get(k, k), c) for k, c in counts.items()]
    return Chart(title, weeks, sorted(series, key=lambda s: -s.total))


def weekly_overview(session: Session, weeks: int = 12, now: dt.datetime | None = None) -> list[Chart]:
    now = now or utcnow()
    this_week = monday(now)
    week_list = [this_week - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    since = dt.datetime.combine(week_list[0], dt.time(), dt.timezone.utc)
    terms = knowledge.terms(session)
    type_names = {t.id: t.name for t in knowledge.list_types(session)}

    channels = {
        (row.channel or "unknown", monday(row.started_at), row.conversation_id)
        for row in session.scalars(select(ConversationRow).where(ConversationRow.started_at >= since))
    }
    records = list(session.scalars(select(TriageRecord).where(TriageRecord.created_at >= since)))
    regions = {(r, monday(rec.created_at), rec.conversation_id) for rec in records for r in rec.regions}
    types = {(t, monday(rec.created_at), rec.conversation_id) for rec in records for t in rec.types}
    flags = {
        (h.red_flag, monday(h.created_at), h.conversation_id)
        for h in session.scalars(select(Handoff).where(Handoff.created_at >= since, Handoff.red_flag.is_not(None)))
    }
    return [
        _chart("Conversations by channel", week_list, channels, CHANNEL_NAMES),
        _chart("Conversations by body region", week_list, regions, {k: t.label for k, t in terms.items()}),
        _chart("Conversations by type suggested", week_list, types, type_names),
        _chart("Conversations with a red flag", week_list, flags, {}),
    ]
