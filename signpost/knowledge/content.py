"""Reviewed knowledge content: load the YAML under data/knowledge and check it.

Every item says where it came from (a seed page, or "needs clinical review")
and when it was last reviewed. `load_content` refuses content that would show
a user something wrong: an unparseable phone number, a malformed email or web
address, an unknown signal in a triage rule, a tip for a type that does not
exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
import yaml
from phonenumbers import shortnumberinfo

from signpost.config import KNOWLEDGE_DIR, ROOT

SEEDS_DIR = ROOT.parent / "shared" / "seeds"
NEEDS_REVIEW = "needs clinical review"
_SEED_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(/[A-Za-z0-9._~/-]*)?")


class ContentError(ValueError):
    """The knowledge YAML is wrong in a way a reviewer must fix."""


@dataclass(frozen=True)
class Term:
    id: str
    kind: str  # region | symptom | modifier
    label: str
    mention: str
    phrases: tuple[str, ...]
    implies_region: str | None = None
    button: str | None = None


@dataclass(frozen=True)
class Subtype:
    id: str
    name: str
    signal: str
    text: str


@dataclass(frozen=True)
class DystoniaType:
    id: str
    name: str
    aliases: tuple[str, ...]
    summary: str
    details: str
    match: dict[str, Any]
    source: str
    reviewed: dt.date
    subtypes: tuple[Subtype, ...] = ()


@dataclass(frozen=True)
class Tip:
    id: str
    kind: str
    text: str
    types: tuple[str, ...]
    source: str
    reviewed: dt.date


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    kind: str
    description: str
    source: str
    reviewed: dt.date
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    meets: str | None = None
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    for_types: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """What a page or an API shows of a contact."""
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
        }


@dataclass(frozen=True)
class Topic:
    id: str
    intent: str | None
    title: str
    summary: str
    details: str
    source: str
    reviewed: dt.date


@dataclass(frozen=True)
class Content:
    terms: tuple[Term, ...]
    places: tuple[str, ...]
    types: tuple[DystoniaType, ...]
    tips: tuple[Tip, ...]
    contacts: tuple[Contact, ...]
    topics: tuple[Topic, ...]
    vocabulary_source: str = ""
    vocabulary_reviewed: dt.date | None = None
    problems: list[str] = field(default_factory=list, compare=False)


CONTACT_KINDS = {"helpline", "charity", "support_group", "carers", "occupational_therapy", "professional"}
TERM_KINDS = {"regions": "region", "symptoms": "symptom", "modifiers": "modifier"}


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: expected a mapping at the top level")
    return data


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ContentError(f"{where}: 'reviewed' must be a date, got {value!r}") from exc


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: '{key}' is missing or empty")
    return " ".join(value.split())


def _optional(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return " ".join(str(value).split()) if value not in (None, "") else None


def check_source(source: str, where: str, seeds_dir: Path = SEEDS_DIR) -> None:
    """A source names seed files that exist, or says it needs clinical review."""
    if source.lower().startswith(NEEDS_REVIEW):
        return
    names = [part.strip() for part in source.split(",")]
    for name in names:
        if not _SEED_NAME.fullmatch(name):
            raise ContentError(f"{where}: source {name!r} is neither a seed file nor '{NEEDS_REVIEW}'")
        if seeds_dir.is_dir() and not (seeds_dir / name).is_file():
            raise ContentError(f"{where}: source {name!r} is not in {seeds_dir}")


def check_phone(number: str, where: str, short: bool = False) -> str:
    """Return the number in UK national format; refuse anything not a valid number.

    `short` numbers (116 123, the 85258 text line) are checked as UK short codes
    and returned as written.
    """
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException as exc:
        raise ContentError(f"{where}: phone {number!r} cannot be parsed") from exc
    if short:
        if not shortnumberinfo.is_valid_short_number(parsed):
            raise ContentError(f"{where}: {number!r} is not a valid UK short number")
        return number
    if not phonenumbers.is_valid_number(parsed):
        raise ContentError(f"{where}: phone {number!r} is not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def check_email(email: str, where: str) -> str:
    if not _EMAIL.fullmatch(email):
        raise ContentError(f"{where}: email {email!r} is malformed")
    return email


def check_url(url: str, where: str) -> str:
    if not _URL.fullmatch(url):
        raise ContentError(f"{where}: web address {url!r} is malformed (https only)")
    return url


def _common(item: dict[str, Any], where: str) -> tuple[str, dt.date]:
    source = _text(item, "source", where)
    check_source(source, where)
    return source, _date(item.get("reviewed"), where)


def _load_terms(data: dict[str, Any]) -> tuple[Term, ...]:
    terms: list[Term] = []
    for key, kind in TERM_KINDS.items():
        for raw in data.get(key) or []:
            where = f"vocabulary.yml {kind} {raw.get('id')!r}"
            phrases = tuple(str(p).strip().lower() for p in raw.get("phrases") or [] if str(p).strip())
            if not phrases:
                raise ContentError(f"{where}: no phrases")
            terms.append(
                Term(
                    id=_text(raw, "id", where),
                    kind=kind,
                    label=_text(raw, "label", where),
                    mention=_text(raw, "mention", where),
                    phrases=phrases,
                    implies_region=_optional(raw, "implies_region"),
                    button=_optional(raw, "button"),
                )
            )
    return tuple(terms)


def _load_types(data: dict[str, Any]) -> tuple[DystoniaType, ...]:
    types = []
    for raw in data.get("types") or []:
        where = f"types.yml {raw.get('id')!r}"
        source, reviewed = _common(raw, where)
        subtypes = tuple(
            Subtype(
                id=_text(s, "id", where),
                name=_text(s, "name", where),
                signal=_text(s, "signal", where),
                text=_text(s, "text", where),
            )
            for s in raw.get("subtypes") or []
        )
        types.append(
            DystoniaType(
                id=_text(raw, "id", where),
                name=_text(raw, "name", where),
                aliases=tuple(str(a).lower() for a in raw.get("aliases") or []),
                summary=_text(raw, "summary", where),
                details=_text(raw, "details", where),
                match=dict(raw.get("match") or {}),
                source=source,
                reviewed=reviewed,
                subtypes=subtypes,
            )
        )
    return tuple(types)


def _load_tips(data: dict[str, Any]) -> tuple[Tip, ...]:
    tips = []
    for raw in data.get("tips") or []:
        where = f"tips.yml {raw.get('id')!r}"
        source, reviewed = _common(raw, where)
        tips.append(
            Tip(
                id=_text(raw, "id", where),
                kind=_text(raw, "kind", where),
                text=_text(raw, "text", where),
                types=tuple(raw.get("types") or ()),
                source=source,
                reviewed=reviewed,
            )
        )
    return tuple(tips)


def _load_contacts(data: dict[str, Any]) -> tuple[Contact, ...]:
    contacts = []
    for raw in data.get("contacts") or []:
        where = f"contacts.yml {raw.get('id')!r}"
        source, reviewed = _common(raw, where)
        kind = _text(raw, "kind", where)
        if kind not in CONTACT_KINDS:
            raise ContentError(f"{where}: unknown kind {kind!r}")
        phone = _optional(raw, "phone")
        email = _optional(raw, "email")
        website = _optional(raw, "website")
        contacts.append(
            Contact(
                id=_text(raw, "id", where),
                name=_text(raw, "name", where),
                kind=kind,
                description=_text(raw, "description", where),
                source=source,
                reviewed=reviewed,
                phone=check_phone(phone, where, short=bool(raw.get("short_number"))) if phone else None,
                email=check_email(email, where) if email else None,
                website=check_url(website, where) if website else None,
                meets=_optional(raw, "meets"),
                places=tuple(raw.get("places") or ()),
                topics=tuple(raw.get("topics") or ()),
                for_types=tuple(raw.get("for_types") or ()),
            )
        )
    return tuple(contacts)


def _load_topics(data: dict[str, Any]) -> tuple[Topic, ...]:
    topics = []
    for raw in data.get("topics") or []:
        where = f"topics.yml {raw.get('id')!r}"
        source, reviewed = _common(raw, where)
        topics.append(
            Topic(
                id=_text(raw, "id", where),
                intent=_optional(raw, "intent"),
                title=_text(raw, "title", where),
                summary=_text(raw, "summary", where),
                details=_text(raw, "details", where),
                source=source,
                reviewed=reviewed,
            )
        )
    return tuple(topics)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ContentError(f"duplicate {what} id {item_id!r}")
        seen.add(item_id)


def _cross_check(content: Content) -> None:
    term_ids = {t.id for t in content.terms}
    region_ids = {t.id for t in content.terms if t.kind == "region"}
    type_ids = {t.id for t in content.types}
    topic_ids = {t.id for t in content.topics}
    _unique([t.id for t in content.terms], "vocabulary")
    _unique([t.id for t in content.types] + [s.id for t in content.types for s in t.subtypes], "type")
    _unique([t.id for t in content.tips], "tip")
    _unique([c.id for c in content.contacts], "contact")
    _unique([t.id for t in content.topics], "topic")
    for term in content.terms:
        if term.implies_region and term.implies_region not in region_ids:
            raise ContentError(f"term {term.id!r} implies unknown region {term.implies_region!r}")
    for dtype in content.types:
        match = dtype.match
        named = set(match.get("signals", {})) | set(match.get("requires_any", [])) | set(match.get("requires_all", []))
        unknown = named - term_ids
        if unknown:
            raise ContentError(f"type {dtype.id!r} match names unknown signals {sorted(unknown)}")
        for sub in dtype.subtypes:
            if sub.signal not in term_ids:
                raise ContentError(f"subtype {sub.id!r} names unknown signal {sub.signal!r}")
    for tip in content.tips:
        if set(tip.types) - type_ids:
            raise ContentError(f"tip {tip.id!r} names unknown types {sorted(set(tip.types) - type_ids)}")
    for contact in content.contacts:
        if set(contact.for_types) - type_ids:
            raise ContentError(f"contact {contact.id!r} names unknown types")
        if topic_ids and set(contact.topics) - topic_ids:
            raise ContentError(f"contact {contact.id!r} names unknown topics {sorted(set(contact.topics) - topic_ids)}")


def load_content(directory: Path = KNOWLEDGE_DIR) -> Content:
    """Load and check every knowledge file; raise ContentError on the first problem."""
    vocabulary = _read(directory / "vocabulary.yml")
    source = _text(vocabulary, "source", "vocabulary.yml")
    content = Content(
        terms=_load_terms(vocabulary),
        places=tuple(str(p) for p in vocabulary.get("places") or ()),
        types=_load_types(_read(directory / "types.yml")),
        tips=_load_tips(_read(directory / "tips.yml")),
        contacts=_load_contacts(_read(directory / "contacts.yml")),
        topics=_load_topics(_read(directory / "topics.yml")),
        vocabulary_source=source,
        vocabulary_reviewed=_date(vocabulary.get("reviewed"), "vocabulary.yml"),
    )
    _cross_check(content)
    return content
