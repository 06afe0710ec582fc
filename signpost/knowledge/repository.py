"""Small read functions over the knowledge tables. Each takes a Session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from signpost.knowledge.content import Contact, DystoniaType, Subtype, Term, Tip, Topic
from signpost.knowledge.models import ContactRow, TermRow, TipRow, TopicRow, TypeRow
from signpost.triage import TypeRule, rules_for


def _type(row: TypeRow) -> DystoniaType:
    return DystoniaType(
        id=row.id,
        name=row.name,
        aliases=tuple(row.aliases),
        summary=row.summary,
        details=row.details,
        match=dict(row.match),
        source=row.source,
        reviewed=row.reviewed,
        subtypes=tuple(Subtype(**s) for s in row.subtypes),
    )


def _contact(row: ContactRow) -> Contact:
    return Contact(
        id=row.id,
        name=row.name,
        kind=row.kind,
        description=row.description,
        source=row.source,
        reviewed=row.reviewed,
        phone=row.phone,
        email=row.email,
        website=row.website,
        meets=row.meets,
        places=tuple(row.places),
        topics=tuple(row.topics),
        for_types=tuple(row.for_types),
    )


def _topic(row: TopicRow) -> Topic:
    return Topic(row.id, row.intent, row.title, row.summary, row.details, row.source, row.reviewed)


def list_types(session: Session) -> list[DystoniaType]:
    return [_type(r) for r in session.scalars(select(TypeRow).order_by(TypeRow.position))]


def type_rules(session: Session) -> list[TypeRule]:
    return rules_for(list_types(session))


def find_type(session: Session, type_or_subtype_id: str) -> tuple[DystoniaType, Subtype | None] | None:
    """A type by its id, or the parent type of a subtype id (e.g. 'antecollis')."""
    row = session.get(TypeRow, type_or_subtype_id)
    if row is not None:
        return _type(row), None
    for dtype in list_types(session):
        for sub in dtype.subtypes:
            if sub.id == type_or_subtype_id:
                return dtype, sub
    return None


def terms(session: Session) -> dict[str, Term]:
    rows = session.scalars(select(TermRow).order_by(TermRow.position))
    return {r.id: Term(r.id, r.kind, r.label, r.mention, tuple(r.phrases), r.implies_region, r.button) for r in rows}


def tips_for(session: Session, type_ids: list[str]) -> list[Tip]:
    """Tips for the given types first (in their order), then tips that fit everyone."""
    rows = list(session.scalars(select(TipRow).order_by(TipRow.position)))
    specific = [r for t in type_ids for r in rows if t in r.types]
    general = [r for r in rows if not r.types]
    ordered = list(dict.fromkeys(specific + general))
    return [Tip(r.id, r.kind, r.text, tuple(r.types), r.source, r.reviewed) for r in ordered]


def contacts_for(
    session: Session,
    *,
    topic: str | None = None,
    type_ids: list[str] | None = None,
    kinds: tuple[str, ...] = (),
) -> list[Contact]:
    """Contacts that suit a side topic and/or the types named, in content order."""
    rows = session.scalars(select(ContactRow).order_by(ContactRow.position))
    out = []
    for row in rows:
        if kinds and row.kind not in kinds:
            continue
        if topic is not None and topic not in row.topics:
            continue
        if row.for_types and type_ids is not None and not set(row.for_types) & set(type_ids):
            continue
        out.append(_contact(row))
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
    row = session.get(ContactRow, contact_id)
    return _contact(row) if row else None


def groups_near(session: Session, place: str) -> list[Contact]:
    """Support groups listed for a named place (case-insensitive); [] when none is listed."""
    wanted = place.strip().lower()
    rows = session.scalars(select(ContactRow).where(ContactRow.kind == "support_group").order_by(ContactRow.position))
    return [_contact(r) for r in rows if wanted in {p.lower() for p in r.places}]


def topic_for_intent(session: Session, intent: str) -> Topic | None:
    row = session.scalars(select(TopicRow).where(TopicRow.intent == intent)).first()
    return _topic(row) if row else None


def topic(session: Session, topic_id: str) -> Topic | None:
    row = session.get(TopicRow, topic_id)
    return _topic(row) if row else None
