"""The knowledge YAML: complete, sourced, and never showing a malformed contact."""

from __future__ import annotations

import re

import phonenumbers
import pytest
import yaml
from phonenumbers import shortnumberinfo

from signpost.knowledge import content as kc

SEED_NAMES = kc.SEEDS_DIR / "002_6dfd823406a8fb60.txt"


def test_brain_charity_list_is_fully_covered(content):
    """All 14 names on The Brain Charity page are a type name or alias."""
    if not SEED_NAMES.exists():
        pytest.skip("seed pages are not beside this checkout")
    first_line = SEED_NAMES.read_text(encoding="utf-8").splitlines()[0]
    listed = [n.strip().lower() for n in first_line.split(",")]
    assert len(listed) == 14
    known = {a for t in content.types for a in (t.name.lower(), *t.aliases)}
    assert [n for n in listed if n not in known] == []


def test_neck_subtypes_present(content):
    cervical = next(t for t in content.types if t.id == "cervical")
    assert {s.id for s in cervical.subtypes} == {"torticollis", "antecollis", "retrocollis", "laterocollis"}


def test_every_item_has_a_source_and_review_date(content):
    for item in (*content.types, *content.tips, *content.contacts, *content.topics):
        assert item.source and item.reviewed, item.id
        kc.check_source(item.source, item.id)


def test_every_type_has_a_tip_and_text(content):
    tipped = {t for tip in content.tips for t in tip.types}
    for dtype in content.types:
        assert dtype.id in tipped, dtype.id
        assert dtype.summary and dtype.details


@pytest.mark.parametrize(
    "topic",
    [
        "what_is_dystonia",
        "treatments",
        "cure",
        "pain",
        "mental_health",
        "occupational_therapy",
        "equipment",
        "carers",
        "managing",
        "support_groups",
    ],
)
def test_seed_topics_are_covered(content, topic):
    assert topic in {t.id for t in content.topics}


def test_every_phone_number_is_valid(content):
    phones = [c.phone for c in content.contacts if c.phone]
    assert phones
    for phone in phones:
        parsed = phonenumbers.parse(phone, "GB")
        assert phonenumbers.is_valid_number(parsed) or shortnumberinfo.is_valid_short_number(parsed), phone


def test_the_malformed_seed_number_is_refused():
    with pytest.raises(kc.ContentError):
        kc.check_phone("020 7793 36351", "test")


def test_helpline_is_the_dystonia_society_number(content):
    helpline = next(c for c in content.contacts if c.id == "dystonia_uk")
    assert helpline.phone == "020 7793 3650"


@pytest.mark.parametrize("email", ["info@dystonia.org.uk", "foundation@conductive-education.org.uk"])
def test_good_emails_pass(email):
    assert kc.check_email(email, "t") == email


@pytest.mark.parametrize("email", ["info@", "info dystonia.org.uk", "@dystonia.org.uk", "a@b"])
def test_bad_emails_fail(email):
    with pytest.raises(kc.ContentError):
        kc.check_email(email, "t")


@pytest.mark.parametrize("url", ["www.dystonia.org.uk", "http://dystonia.org.uk", "https://", "javascript:alert(1)"])
def test_bad_urls_fail(url):
    with pytest.raises(kc.ContentError):
        kc.check_url(url, "t")


def test_every_email_and_url_form_is_valid(content):
    for contact in content.contacts:
        if contact.email:
            kc.check_email(contact.email, contact.id)
        if contact.website:
            kc.check_url(contact.website, contact.id)


def test_support_groups_say_where_and_when_they_meet(content):
    local = [c for c in content.contacts if c.kind == "support_group" and c.places]
    assert {c.id for c in local} == {"group_liverpool", "group_manchester"}
    for group in local:
        assert group.meets and group.phone and group.website


def _user_text(content):
    for t in content.types:
        yield t.id, f"{t.summary} {t.details}"
    for t in content.topics:
        yield t.id, f"{t.summary} {t.details}"
    for t in content.tips:
        yield t.id, t.text


def test_no_dosing_and_no_diagnosis_in_content(content):
    dosing = re.compile(r"\b\d+\s?(mg|mcg|ml|units?)\b|\b(dose|dosage|double your|increase your|stop taking)\b", re.I)
    diagnosis = re.compile(r"\byou have\b", re.I)
    for item_id, text in _user_text(content):
        assert not dosing.search(text), item_id
        assert not diagnosis.search(text), item_id


def test_content_errors_name_the_problem(tmp_path, content):
    for name in ("vocabulary.yml", "types.yml", "tips.yml", "topics.yml"):
        (tmp_path / name).write_text((kc.KNOWLEDGE_DIR / name).read_text())
    (tmp_path / "contacts.yml").write_text(
        "contacts:\n  - {id: x, name: X, kind: helpline, description: d, phone: '020 7793 36351',"
        " source: 002_6dfd823406a8fb60.txt, reviewed: 2026-11-21}\n"
    )
    with pytest.raises(kc.ContentError, match="not a valid number"):
        kc.load_content(tmp_path)


GOOD_CONTACT = {
    "id": "x",
    "name": "X",
    "kind": "helpline",
    "description": "d",
    "phone": "020 7793 3650",
    "source": "002_6dfd823406a8fb60.txt",
    "reviewed": "2026-11-21",
}


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"phnoe": "020 7793 3650"}, "contacts.yml 'x': unknown key 'phnoe'"),
        ({"reviewed": "soon"}, "contacts.yml 'x': 'reviewed' must be a date, got 'soon'"),
        ({"email": "info@"}, "contacts.yml 'x': email 'info@' is malformed"),
        ({"short_number": "perhaps"}, "contacts.yml 'x': 'short_number': value could not be parsed to a boolean"),
        ({"name": "", "kind": "hotline"}, "contacts.yml 'x': 'name' is missing or empty; unknown kind 'hotline'"),
        ({"source": None}, "contacts.yml 'x': 'source' is missing or empty"),
    ],
)
def test_each_problem_of_an_item_is_named(tmp_path, change, problem):
    for name in ("vocabulary.yml", "types.yml", "tips.yml", "topics.yml"):
        (tmp_path / name).write_text((kc.KNOWLEDGE_DIR / name).read_text())
    (tmp_path / "contacts.yml").write_text(yaml.safe_dump({"contacts": [{**GOOD_CONTACT, **change}]}))
    with pytest.raises(kc.ContentError) as raised:
        kc.load_content(tmp_path)
    assert str(raised.value) == problem


def test_a_problem_in_a_subtype_says_which(tmp_path):
    for name in ("vocabulary.yml", "tips.yml", "contacts.yml", "topics.yml"):
        (tmp_path / name).write_text((kc.KNOWLEDGE_DIR / name).read_text())
    data = yaml.safe_load((kc.KNOWLEDGE_DIR / "types.yml").read_text())
    del data["types"][0]["subtypes"][1]["name"]
    (tmp_path / "types.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(kc.ContentError, match=r"types.yml 'cervical': subtypes\[1\]: 'name' is missing or empty"):
        kc.load_content(tmp_path)
