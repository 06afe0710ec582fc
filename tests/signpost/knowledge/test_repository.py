"""Seeding and repository functions, each on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signpost.knowledge import repository
from signpost.knowledge.models import ContactRow, TypeRow
from signpost.knowledge.seed import seed
from signpost.storage.engine import make_engine


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


@pytest.fixture
def fresh_cache():
    repository.clear_cache()
    yield
    repository.clear_cache()


def test_knowledge_is_read_again_when_seed_changes_it(seeded, content, fresh_cache):
    """Each process keeps the knowledge in memory; a seed that changes it must be seen by
    the next session, with no restart (the content version the seed writes)."""
    first = content.types[0]
    with Session(seeded) as s:
        assert repository.list_types(s)[0].name == first.name
    renamed = dataclasses.replace(first, name=first.name + " (renamed)")
    seed(seeded, dataclasses.replace(content, types=(renamed, *content.types[1:])))
    with Session(seeded) as s:
        assert repository.list_types(s)[0].name == renamed.name
        assert repository.find_type(s, first.id)[0].name == renamed.name


def test_knowledge_stays_in_memory_between_seeds(seeded, content, fresh_cache):
    """After the first read, a session costs one query (the content version), whatever it reads."""
    from sqlalchemy import event

    with Session(seeded) as s:
        repository.list_types(s)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001, ANN202
        statements.append(statement)

    event.listen(seeded, "before_cursor_execute", count)
    try:
        with Session(seeded) as s:
            repository.list_types(s)
            repository.terms(s)
            repository.tips_for(s, [content.types[0].id])
            repository.contacts_to_give(s, [content.types[0].id])
            repository.topic_for_intent(s, content.topics[0].intent)
    finally:
        event.remove(seeded, "before_cursor_execute", count)
    assert len(statements) == 1 and "kb_version" in statements[0]


def test_seeding_the_same_content_keeps_its_version(seeded, content):
    from signpost.knowledge.models import ContentVersionRow

    with Session(seeded) as s:
        before = s.scalar(select(ContentVersionRow.version))
    seed(seeded, content)
    with Session(seeded) as s:
        assert s.scalar(select(ContentVersionRow.version)) == before
    seed(seeded, dataclasses.replace(content, tips=content.tips[1:]))
    with Session(seeded) as s:
        assert s.scalar(select(ContentVersionRow.version)) != before
