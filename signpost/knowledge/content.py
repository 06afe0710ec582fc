"""Reviewed knowledge content: one typed model per kind of item, and the loader of data/knowledge.

Each model below (Term, DystoniaType with its Subtypes, Tip, Contact, Topic) is the one
definition of its item. `load_content` parses the YAML into it; `seed` stores each item as the
model's fields (`Item.stored`) and the repository reads them back through the same model
(`Item.from_stored`), so a field added to a model reaches the NLU components and the web front,
which read the YAML, and the actions, which read the database, with no other edit.

Every item says where it came from (a seed page, or "needs clinical review")
and when it was last reviewed. `load_content` refuses content that would show
a user something wrong: an unparseable phone number, a malformed email or web
address, an unknown signal in a triage rule, a tip for a type that does not
exist, a key no model has (a misspelling would otherwise be dropped unseen).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import phonenumbers
import yaml
from phonenumbers import shortnumberinfo
from pydantic import BaseModel, Extra, ValidationError, root_validator, validator
from pydantic.fields import ModelField

from signpost.config import KNOWLEDGE_DIR, ROOT

SEEDS_DIR = ROOT.parent / "shared" / "seeds"
NEEDS_REVIEW = "needs clinical review"
_SEED_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(/[A-Za-z0-9._~/-]*)?")

CONTACT_KINDS = {"helpline", "charity", "support_group", "carers", "occupational_therapy", "professional"}
TERM_KINDS = {"regions": "region", "symptoms": "symptom", "modifiers": "modifier"}


class ContentError(ValueError):
    """The knowledge YAML is wrong in a way a reviewer must fix."""


def _problem(where: str, message: str) -> ContentError:
    return ContentError(f"{where}: {message}" if where else message)


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: expected a mapping at the top level")
    return data


def _date(value: Any, where: str = "") -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _problem(where, f"'reviewed' must be a date, got {value!r}") from exc


def _text(item: dict[str, Any], key: str, where: str = "") -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _problem(where, f"'{key}' is missing or empty")
    return " ".join(value.split())


def check_source(source: str, where: str = "", seeds_dir: Path = SEEDS_DIR) -> None:
    """A source names seed files that exist, or says it needs clinical review."""
    if source.lower().startswith(NEEDS_REVIEW):
        return
    names = [part.strip() for part in source.split(",")]
    for name in names:
        if not _SEED_NAME.fullmatch(name):
            raise _problem(where, f"source {name!r} is neither a seed file nor '{NEEDS_REVIEW}'")
        if seeds_dir.is_dir() and not (seeds_dir / name).is_file():
            raise _problem(where, f"source {name!r} is not in {seeds_dir}")


def check_phone(number: str, where: str = "", short: bool = False) -> str:
    """Return the number in UK national format; refuse anything not a valid number.

    `short` numbers (116 123, the 85258 text line) are checked as UK short codes
    and returned as written.
    """
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException as exc:
        raise _problem(where, f"phone {number!r} cannot be parsed") from exc
    if short:
        if not shortnumberinfo.is_valid_short_number(parsed):
            raise _problem(where, f"{number!r} is not a valid UK short number")
        return number
    if not phonenumbers.is_valid_number(parsed):
        raise _problem(where, f"phone {number!r} is not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def check_email(email: str, where: str = "") -> str:
    if not _EMAIL.fullmatch(email):
        raise _problem(where, f"email {email!r} is malformed")
    return email


def check_url(url: str, where: str = "") -> str:
    if not _URL.fullmatch(url):
        raise _problem(where, f"web address {url!r} is malformed (https only)")
    return url


# Field types. Type checkers see the plain type; pydantic runs the check.
if TYPE_CHECKING:
    Text = str
    Line = str
    Source = str
    Reviewed = dt.date
else:

    class Text(str):
        """Required text, its runs of white space made single spaces."""

        @classmethod
        def __get_validators__(cls):
            yield cls.validate

        @classmethod
        def validate(cls, value, field):
            return _text({field.name: value}, field.name)

    class Line(str):
        """Optional text: None when absent or empty, else white space made single spaces."""

        @classmethod
        def __get_validators__(cls):
            yield cls.validate

        @classmethod
        def validate(cls, value):
            return " ".join(str(value).split()) if value not in (None, "") else None

    class Source(Text):
        """Seed files that exist, or "needs clinical review"."""

        @classmethod
        def validate(cls, value, field):
            source = super().validate(value, field)
            check_source(source)
            return source

    class Reviewed(dt.date):
        """A date, written as YYYY-MM-DD."""

        @classmethod
        def __get_validators__(cls):
            yield cls.validate

        @classmethod
        def validate(cls, value):
            return _date(value)


_STORED = contextvars.ContextVar("reading_stored_items", default=False)


class _Frozen(BaseModel):
    class Config:
        frozen = True
        extra = Extra.forbid
        copy_on_model_validation = "none"  # immutable, so shared rather than copied


class Item(_Frozen):
    """One knowledge item: every model below is one, and is stored and read back as one."""

    id: Text

    @root_validator(pre=True)
    def _known_fields_when_stored(cls, values: dict[str, Any]) -> dict[str, Any]:
        # What a newer release stored may carry a field this one does not know yet: skip it
        # (in the YAML an unknown key is a mistake, and an error).
        if _STORED.get():
            return {k: v for k, v in values.items() if k in cls.__fields__}
        return values

    @validator("*", pre=True)
    def _absent_when_none(cls, value: Any, field: ModelField) -> Any:
        # A key written with no value (`places:`) means the same as leaving it out.
        if value is None and not field.allow_none:
            if field.required:
                raise ContentError(f"'{field.name}' is missing or empty")
            return field.get_default()
        return value

    def stored(self) -> dict[str, Any]:
        """The item as JSON-ready data (dates as ISO strings), as the database keeps it."""
        return json.loads(self.json())  # type: ignore[no-any-return]

    @classmethod
    def from_stored(cls: type[_I], data: dict[str, Any]) -> _I:
        """The item back from what `stored` gave, checked again as the YAML was (fields it
        does not have, stored by a newer release, are left out)."""
        token = _STORED.set(True)
        try:
            return cls.parse_obj(data)
        finally:
            _STORED.reset(token)


_I = TypeVar("_I", bound=Item)


class ReviewedItem(Item):
    """An item shown to people: it names its source and when it was last reviewed."""

    source: Source
    reviewed: Reviewed


class Term(Item):
    kind: str  # region | symptom | modifier: the vocabulary list it is in
    label: Text
    mention: Text
    phrases: tuple[str, ...] = ()
    implies_region: Line | None = None
    button: Line | None = None

    @validator("phrases", pre=True, always=True)
    def _phrases(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            value = tuple(str(p).strip().lower() for p in value if str(p).strip())
        if not value:
            raise ContentError("no phrases")
        return value


class Subtype(Item):
    name: Text
    signal: Text
    text: Text


class DystoniaType(ReviewedItem):
    name: Text
    aliases: tuple[str, ...] = ()
    summary: Text
    details: Text
    match: dict[str, Any] = {}
    subtypes: tuple[Subtype, ...] = ()

    @validator("aliases", pre=True)
    def _lower_case(cls, value: Any) -> Any:
        return tuple(str(a).lower() for a in value) if isinstance(value, (list, tuple)) else value


class Tip(ReviewedItem):
    kind: Text
    text: Text
    types: tuple[str, ...] = ()


class Contact(ReviewedItem):
    name: Text
    kind: Text
    description: Text
    short_number: bool = False  # phone is a UK short code (116 123), kept as written
    phone: Line | None = None
    email: Line | None = None
    website: Line | None = None
    meets: Line | None = None
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    for_types: tuple[str, ...] = ()

    @validator("kind")
    def _known_kind(cls, kind: str) -> str:
        if kind not in CONTACT_KINDS:
            raise ContentError(f"unknown kind {kind!r}")
        return kind

    @validator("phone")
    def _phone(cls, phone: str | None, values: dict[str, Any]) -> str | None:
        return check_phone(phone, short=bool(values.get("short_number"))) if phone else None

    @validator("email")
    def _email(cls, email: str | None) -> str | None:
        return check_email(email) if email else None

    @validator("website")
    def _website(cls, website: str | None) -> str | None:
        return check_url(website) if website else None

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


class Topic(ReviewedItem):
    intent: Line | None = None
    title: Text
    summary: Text
    details: Text


class Content(_Frozen):
    types: tuple[DystoniaType, ...]
    terms: tuple[Term, ...]
    tips: tuple[Tip, ...]
    contacts: tuple[Contact, ...]
    topics: tuple[Topic, ...]
    places: tuple[str, ...]
    vocabulary_source: str = ""
    vocabulary_reviewed: dt.date | None = None


# The kinds of item the database holds, by the name of their list in Content.
MODELS: dict[str, type[Item]] = {
    name: field.type_
    for name, field in Content.__fields__.items()
    if isinstance(field.type_, type) and issubclass(field.type_, Item)
}


def _location(loc: tuple[int | str, ...]) -> str:
    """('subtypes', 0) -> 'subtypes[0]'"""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _describe(error: Mapping[str, Any]) -> str:
    *inside, name = error["loc"]
    kind = error["type"]
    if kind == "value_error.missing":
        message = f"'{name}' is missing or empty"
    elif kind == "value_error.extra":
        message = f"unknown key '{name}'"
    elif kind in ("value_error", "value_error.content"):  # our own checks say what is wrong
        message = error["msg"]
    else:
        message = f"'{_location(error['loc'])}': {error['msg']}"
        inside = []
    return f"{_location(tuple(inside))}: {message}" if inside else message


def parse_item(model: type[_I], raw: Any, where: str) -> _I:
    """One item from the YAML, or a ContentError naming the item and each of its problems."""
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: expected a mapping of keys and values, got {raw!r}")
    try:
        return model.parse_obj(raw)
    except ValidationError as exc:
        raise ContentError(f"{where}: " + "; ".join(_describe(e) for e in exc.errors())) from None


def _items(name: str, raw_items: Any, where: str, **fixed: Any) -> list[Any]:
    """The YAML list `raw_items` as items of the model of `name` (MODELS), each named by id."""
    model = MODELS[name]
    items = []
    for raw in raw_items or []:
        if isinstance(raw, dict):
            items.append(parse_item(model, {**raw, **fixed}, f"{where} {raw.get('id')!r}"))
        else:
            items.append(parse_item(model, raw, where))
    return items


def _file(directory: Path, name: str) -> tuple[Any, ...]:
    """The items of <name>.yml, which lists them under `name`."""
    return tuple(_items(name, _read(directory / f"{name}.yml").get(name), f"{name}.yml"))


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
    """Load and check every knowledge file; raise ContentError on the first item with a problem."""
    vocabulary = _read(directory / "vocabulary.yml")
    source = _text(vocabulary, "source", "vocabulary.yml")
    terms = [
        term
        for key, kind in TERM_KINDS.items()
        for term in _items("terms", vocabulary.get(key), f"vocabulary.yml {kind}", kind=kind)
    ]
    content = Content(
        terms=tuple(terms),
        places=tuple(str(p) for p in vocabulary.get("places") or ()),
        types=_file(directory, "types"),
        tips=_file(directory, "tips"),
        contacts=_file(directory, "contacts"),
        topics=_file(directory, "topics"),
        vocabulary_source=source,
        vocabulary_reviewed=_date(vocabulary.get("reviewed"), "vocabulary.yml"),
    )
    _cross_check(content)
    return content
