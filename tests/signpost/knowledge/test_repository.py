"""Seeding and repository functions, each on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil

import pytest
import yaml
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from signpost.config import KNOWLEDGE_DIR
from signpost.knowledge import repository
from signpost.knowledge.content import MODELS, Contact, ContentError, load_content
from signpost.knowledge.models import ItemRow
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.storage.engine import make_engine
from tests.tables import made_before_migrations


def _count(session, entity):
    return session.scalar(select(func.count()).select_from(ItemRow).where(ItemRow.entity == entity))


@pytest.fixture
def seeded(database_url, content):
    engine = make_engine(database_url)
    seed(engine, content)
    yield engine
    engine.dispose()


def test_seeding_twice_changes_nothing(seeded, content):
    with Session(seeded) as s:
        before = _count(s, "types")
    seed(seeded, content)
    with Session(seeded) as s:
        assert _count(s, "types") == before == len(content.types)


def test_seeding_removes_what_the_yaml_no_longer_has(seeded, content):
    trimmed = content.copy(update={"contacts": content.contacts[:2]})
    seed(seeded, trimmed)
    with Session(seeded) as s:
        assert _count(s, "contacts") == 2


def test_seeding_applies_edits(seeded, content):
    first = content.types[0].copy(update={"summary": "Edited summary."})
    seed(seeded, content.copy(update={"types": (first, *content.types[1:])}))
    with Session(seeded) as s:
        assert repository.find_type(s, first.id)[0].summary == "Edited summary."


def test_type_rules_and_lookup(seeded):
    with Session(seeded) as s:
        rules = repository.knowledge(s).rules
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
    renamed = first.copy(update={"name": first.name + " (renamed)"})
    seed(seeded, content.copy(update={"types": (renamed, *content.types[1:])}))
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
    seed(seeded, content.copy(update={"tips": content.tips[1:]}))
    with Session(seeded) as s:
        assert s.scalar(select(ContentVersionRow.version)) != before


def _knowledge_items(session):
    found = repository.Knowledge.read(session)
    return {
        "types": found.types,
        "terms": tuple(found.terms.values()),
        "tips": found.tips,
        "contacts": found.contacts,
        "topics": found.topics,
    }


def test_every_field_of_every_item_reads_back_as_loaded(seeded, content):
    """What the actions read from the database is what the NLU and the web front read from the YAML."""
    assert set(MODELS) == {"types", "terms", "tips", "contacts", "topics"}
    with Session(seeded) as s:
        stored = _knowledge_items(s)
    for entity, model in MODELS.items():
        loaded = getattr(content, entity)
        assert [item.id for item in stored[entity]] == [item.id for item in loaded], entity
        for back, item in zip(stored[entity], loaded):
            assert type(back) is model
            for name in model.__fields__:
                assert getattr(back, name) == getattr(item, name), (entity, item.id, name)
                assert type(getattr(back, name)) is type(getattr(item, name)), (entity, item.id, name)


class ContactWithLanguages(Contact):
    """A contact with a field added, defined here and nowhere else."""

    languages: tuple[str, ...] = ()


@pytest.fixture
def contacts_with_languages(monkeypatch, tmp_path):
    """The knowledge YAML with `languages` on one contact, and the model that has the field."""
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    data = yaml.safe_load((directory / "contacts.yml").read_text())
    data["contacts"][0]["languages"] = ["English", "Welsh"]
    (directory / "contacts.yml").write_text(yaml.safe_dump(data))
    monkeypatch.setitem(MODELS, "contacts", ContactWithLanguages)
    return directory, data["contacts"][0]["id"]


def test_a_field_added_to_a_model_is_loaded_stored_and_read_with_no_other_change(
    contacts_with_languages, sqlite_url, fresh_cache
):
    directory, contact_id = contacts_with_languages
    content = load_content(directory)
    engine = make_engine(sqlite_url)
    try:
        seed(engine, content)
        with Session(engine) as s:
            given = repository.contact(s, contact_id)
            others = [c for c in repository.contacts_for(s) if c.id != contact_id]
        assert isinstance(given, ContactWithLanguages)
        assert given.languages == ("English", "Welsh")
        assert others and all(c.languages == () for c in others)
    finally:
        engine.dispose()


def test_without_the_field_in_the_model_the_key_is_refused(contacts_with_languages, monkeypatch):
    directory, contact_id = contacts_with_languages
    monkeypatch.setitem(MODELS, "contacts", Contact)
    with pytest.raises(ContentError, match=f"contacts.yml '{contact_id}': unknown key 'languages'"):
        load_content(directory)


def test_a_field_stored_by_a_newer_release_is_skipped_on_reading(contacts_with_languages, sqlite_url, fresh_cache):
    """While one release replaces another, processes of the older one read what the newer seeded."""
    directory, contact_id = contacts_with_languages
    engine = make_engine(sqlite_url)
    try:
        seed(engine, load_content(directory))
        with pytest.MonkeyPatch.context() as older:
            older.setitem(MODELS, "contacts", Contact)
            with Session(engine) as s:
                given = repository.contact(s, contact_id)
        assert type(given) is Contact and given.id == contact_id
        assert not hasattr(given, "languages")
    finally:
        engine.dispose()


# The knowledge tables as the release before kb_items made them (a column per field).
_OLD_ROWS = [
    """INSERT INTO kb_contacts VALUES ('dystonia_uk', 0, 'Dystonia UK helpline', 'helpline', 'Old text.',
    '020 7793 3650', NULL, NULL, NULL, '[]', '[]', '[]', '004_0859b15e0769b2b8.txt', '2026-11-21')""",
    "INSERT INTO kb_version VALUES ('content', 'a version the release before wrote')",
]


def test_seed_works_on_a_database_the_release_before_made(sqlite_url, content, fresh_cache):
    engine = make_engine(sqlite_url)
    try:
        made_before_migrations(engine)  # every table of the first revision, no version table
        with engine.begin() as conn:
            for statement in _OLD_ROWS:
                conn.execute(text(statement))
        create_schema(engine)  # as `python -m signpost seed` does
        counts = seed(engine, content)
        assert counts["kb_contacts"] == len(content.contacts)
        with Session(engine) as s:
            assert _knowledge_items(s) == {entity: getattr(content, entity) for entity in MODELS}
            assert repository.contact(s, "dystonia_uk").description == content.contacts[0].description
            # the old tables are left for processes of the release before, still running during a rollout
            assert s.execute(text("SELECT description FROM kb_contacts")).scalar() == "Old text."
    finally:
        engine.dispose()
