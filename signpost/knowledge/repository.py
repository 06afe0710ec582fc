"""Small read functions over the knowledge table. Each takes a Session.

The knowledge base changes only when `seed` runs, so each process keeps it in memory
(`Knowledge`, one per database) and reads the table again only when the content
version that `seed` writes (kb_version) has changed: one small query per session,
made by the first read in that session, instead of a query per function call. Each
item is parsed back into its model (signpost.knowledge.content) once per version.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from signpost.knowledge.content import MODELS, Contact, DystoniaType, Subtype, Term, Tip, Topic
from signpost.knowledge.models import CONTENT_VERSION_ID, ContentVersionRow, ItemRow
from signpost.language.triage import TypeRule, rules_for

_SESSION_KEY = "signpost.knowledge"


@dataclass(frozen=True)
class Knowledge:
    """Everything the knowledge table holds, in content order."""

    types: tuple[DystoniaType, ...]
    terms: dict[str, Term]
    tips: tuple[Tip, ...]
    contacts: tuple[Contact, ...]
    topics: tuple[Topic, ...]
    rules: tuple[TypeRule, ...]

    @classmethod
    def read(cls, session: Session) -> Knowledge:
        """Every item, through the model of its kind; kinds this release does not know are skipped."""
        items: dict[str, list[Any]] = {entity: [] for entity in MODELS}
        stored = session.execute(select(ItemRow.entity, ItemRow.data).order_by(ItemRow.entity, ItemRow.position))
        for entity, data in stored:
            if entity in MODELS:
                items[entity].append(MODELS[entity].from_stored(data))
        return cls(
            types=tuple(items["types"]),
            terms={t.id: t for t in items["terms"]},
            tips=tuple(items["tips"]),
            contacts=tuple(items["contacts"]),
            topics=tuple(items["topics"]),
            rules=tuple(rules_for(items["types"])),
        )


_cache: dict[str, tuple[str, Knowledge]] = {}  # database URL -> (content version, knowledge)
_cache_lock = threading.Lock()


def knowledge(session: Session) -> Knowledge:
    """The knowledge base as of this session: from memory while the content version is the one
    it was read at. A database seeded before versions existed is read afresh every time."""
    held = session.info.get(_SESSION_KEY)
    if held is not None:
        return held  # type: ignore[no-any-return]
    version = session.scalar(select(ContentVersionRow.version).where(ContentVersionRow.id == CONTENT_VERSION_ID))
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    if version is not None and cached is not None and cached[0] == version:
        found = cached[1]
    else:
        found = Knowledge.read(session)
        if version is not None:
            with _cache_lock:
                _cache[key] = (version, found)
    session.info[_SESSION_KEY] = found
    return found


def clear_cache() -> None:
    """Forget every process-wide copy (tests)."""
    with _cache_lock:
        _cache.clear()


def list_types(session: Session) -> list[DystoniaType]:
    return list(knowledge(session).types)


def find_type(session: Session, type_or_subtype_id: str) -> tuple[DystoniaType, Subtype | None] | None:
    """A type by its id, or the parent type of a subtype id (e.g. 'antecollis')."""
    types = knowledge(session).types
    for dtype in types:
        if dtype.id == type_or_subtype_id:
            return dtype, None
    for dtype in types:
        for sub in dtype.subtypes:
            if sub.id == type_or_subtype_id:
                return dtype, sub
    return None


def terms(session: Session) -> dict[str, Term]:
    return dict(knowledge(session).terms)


def symptom_regions(engine: Engine) -> dict[str, str]:
    """The region each symptom names by itself (blinking: the eyes); none when the knowledge
    base cannot be read, so a description is then asked about instead of failing."""
    try:
        with Session(engine, future=True) as session:
            found = terms(session)
    except SQLAlchemyError:
        return {}
    return {t.id: t.implies_region for t in found.values() if t.implies_region}


def tips_for(session: Session, type_ids: list[str]) -> list[Tip]:
    """Tips for the given types first (in their order), then tips that fit everyone."""
    tips = knowledge(session).tips
    specific = [t for type_id in type_ids for t in tips if type_id in t.types]
    general = [t for t in tips if not t.types]
    return list(dict.fromkeys(specific + general))


def contacts_for(
    session: Session,
    *,
    topic: str | None = None,
    type_ids: list[str] | None = None,
    kinds: tuple[str, ...] = (),
) -> list[Contact]:
    """Contacts that suit a side topic and/or the types named, in content order."""
    out = []
    for c in knowledge(session).contacts:
        if kinds and c.kind not in kinds:
            continue
        if topic is not None and topic not in c.topics:
            continue
        if c.for_types and type_ids is not None and not set(c.for_types) & set(type_ids):
            continue
        out.append(c)
    return out


GIVEN_CONTACT_KINDS = ("helpline", "charity", "carers", "occupational_therapy", "professional")
SUPPORT_GROUPS_ID = "dystonia_uk_groups"


def contacts_to_give(session: Session, type_ids: list[str]) -> list[Contact]:
    """Helplines, charities, carers' support and therapy that fit the types, then support groups."""
    contacts = contacts_for(session, type_ids=type_ids, kinds=GIVEN_CONTACT_KINDS)
    groups = contact(session, SUPPORT_GROUPS_ID)
    return contacts + ([groups] if groups else [])


MAX_LISTED_CONTACTS = 4
CRISIS_ONLY_TOPICS = frozenset({"mental_health"})  # crisis lines: given with the crisis answer


def contacts_to_list(session: Session, type_ids: list[str], crisis: bool = False) -> list[Contact]:
    """The few contacts a list gives (one glance): crisis lines only after a crisis, first."""
    contacts = contacts_to_give(session, type_ids)
    lines = [c for c in contacts if c.topics and set(c.topics) <= CRISIS_ONLY_TOPICS]
    others = [c for c in contacts if c not in lines]
    return ((lines if crisis else []) + others)[:MAX_LISTED_CONTACTS]


def contact(session: Session, contact_id: str) -> Contact | None:
    return next((c for c in knowledge(session).contacts if c.id == contact_id), None)


def groups_near(session: Session, place: str) -> list[Contact]:
    """Support groups listed for a named place (case-insensitive); [] when none is listed."""
    wanted = place.strip().lower()
    return [
        c for c in knowledge(session).contacts if c.kind == "support_group" and wanted in {p.lower() for p in c.places}
    ]


def topic_for_intent(session: Session, intent: str) -> Topic | None:
    return next((t for t in knowledge(session).topics if t.intent == intent), None)


def topic(session: Session, topic_id: str) -> Topic | None:
    return next((t for t in knowledge(session).topics if t.id == topic_id), None)
