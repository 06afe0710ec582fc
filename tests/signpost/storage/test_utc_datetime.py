"""The one datetime column type: every moment goes in as UTC and comes back aware, on
SQLite (which keeps no zone) and PostgreSQL alike, and comparisons in SQL agree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from signpost.storage.base import UtcDateTime

UTC = dt.timezone.utc
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))


def test_moments_come_back_aware_utc_and_compare_in_sql(engine):
    table = Table("moments", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime))
    table.metadata.create_all(engine)
    given = {
        1: dt.datetime(2026, 7, 1, 14, 0, tzinfo=PARIS_SUMMER),  # 12:00 UTC
        2: dt.datetime(2026, 7, 1, 12, 30),  # naive: taken as UTC
        3: dt.datetime(2026, 7, 1, 11, 0, tzinfo=UTC),
    }
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": k, "at": v} for k, v in given.items()])
        back = dict(conn.execute(select(table.c.id, table.c.at)).all())
        later = conn.scalars(
            select(table.c.id).where(table.c.at > dt.datetime(2026, 7, 1, 14, 15, tzinfo=PARIS_SUMMER))
        ).all()
    assert back == {
        1: dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        2: dt.datetime(2026, 7, 1, 12, 30, tzinfo=UTC),
        3: dt.datetime(2026, 7, 1, 11, 0, tzinfo=UTC),
    }
    assert all(v.tzinfo is UTC for v in back.values())
    assert later == [2]  # 12:15 UTC: only the naive 12:30 is later
