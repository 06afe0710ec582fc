"""Seeding and repository functions, each on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signpost.knowledge import repository
from signpost.knowledge.db import make_engine
from signpost.knowledge.models import ContactRow, TypeRow
from signpost.knowledge.seed import seed


@pytest.fixture
def seeded(database_url, content):
    engine = make_engine(database_url)
    seed(engine, content)
    yield engine
    engine.dispose()


def test_seeding_twice_changes_nothing(seeded, content):
    with Session(seeded) as s:
        before = s.scalar(select(func.count()).select_from(TypeRow))
    seed(seeded, content)
    with Session(seeded) as s:
        assert s.scalar(select(func.count()).select_from(TypeRow)) == before == len(content.types)


def test_seeding_removes_what_the_yaml_no_longer_has(seeded, content):
    trimmed = dataclasses.replace(content, contacts=content.contacts[:2])
    seed(seeded, trimmed)
    with Session(seeded) as s:
        assert s.scalar(select(func.count()).select_from(ContactRow)) == 2


def test_seeding_applies_edits(seeded, content):
    first = dataclasses.replace(content.types[0], summary="Edited summary.")
    seed(seeded, dataclasses.replace(content, types=(first, *content.types[1:])))
    with Session(seeded) as s:
        assert repository.find_type(s, first.id)[0].summary == "Edited summary."


def test_type_rules_and_lookup(seeded):
    with Session(seeded) as s:
        rules = repository.type_rules(s)
        assert "cervical" in {r.type_id for r in rules}
        dtype, sub = repository.find_type(s, "retrocollis")
        assert dtype.id == "cervical" and sub.id == "retrocollis"
        assert repository.find_type(s, "no-such-type") is None


@pytest.mark.parametrize(
    "place,expected", [("Liverpool", ["group_liverpool"]), ("manchester", ["group_manchester"]), ("Leeds", [])]
)
def test_groups_near(seeded, place, expected):
    with Session(seeded) as s:
        assert [g.id for g in repository.groups_near(s, place)] == expected


def test_tips_for_types_come_first(seeded):
    with Session(seeded) as s:
        tips = repository.tips_for(s, ["blepharospasm"])
    assert "blepharospasm" in tips[0].types
    assert any(not t.types for t in tips), "general tips follow"


def test_contacts_for_topic_and_types(seeded):
    with Session(seeded) as s:
        carers = repository.contacts_for(s, topic="carers")
        assert "brain_charity_carers" in {c.id for c in carers}
        neck = repository.contacts_for(s, type_ids=["cervical"], kinds=("charity",))
        assert "conductive_education" not in {c.id for c in neck}


def test_topic_by_intent(seeded):
    with Session(seeded) as s:
        assert repository.topic_for_intent(s, "ask_pain").id == "pain"
        assert repository.topic_for_intent(s, "no_such_intent") is None
