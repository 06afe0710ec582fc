"""Who may reach a conversation: the widget's session secret and GP summary links.

A widget conversation id is a uuid4 hex that the browser keeps; knowing it must
not be enough to read or join the conversation. The server issues a secret when
it starts a conversation (`issue_widget_token`); the widget keeps it beside the
id and sends both with every event (`widget_token_ok`). Only SHA-256 digests are
stored, compared in constant time.

A GP summary link carries neither: `issue_summary_link` makes a separate random
token that reads one conversation's summary for `SUMMARY_LINK_LIFETIME`.
Functions take a Session; callers commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from signpost.conversations.models import SummaryLink, WidgetSession
from signpost.storage.clock import utcnow

SUMMARY_LINK_LIFETIME = dt.timedelta(hours=1)
MAX_TOKEN_CHARS = 128


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_widget_token(session: Session, conversation_id: str, now: dt.datetime | None = None) -> str:
    """A new secret for a new widget conversation; replaces any earlier one."""
    token = secrets.token_urlsafe(32)
    row = session.get(WidgetSession, conversation_id)
    if row is None:
        session.add(
            WidgetSession(conversation_id=conversation_id, token_hash=digest(token), created_at=now or utcnow())
        )
    else:
        row.token_hash, row.created_at = digest(token), now or utcnow()
    return token


def widget_token_hash(session: Session, conversation_id: str) -> str | None:
    """The stored digest of a widget conversation's secret, or None if it has none."""
    row = session.get(WidgetSession, conversation_id)
    return row.token_hash if row else None


def token_matches(token: object, token_hash: str | None) -> bool:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or token_hash is None:
        return False
    return hmac.compare_digest(digest(token), token_hash)


def widget_token_ok(session: Session, conversation_id: str, token: object) -> bool:
    """Whether `token` is the secret issued for this widget conversation."""
    return token_matches(token, widget_token_hash(session, conversation_id))


def issue_summary_link(session: Session, conversation_id: str, now: dt.datetime | None = None) -> str:
    """A read-only token for this conversation's GP summary, valid for SUMMARY_LINK_LIFETIME."""
    now = now or utcnow()
    session.execute(delete(SummaryLink).where(SummaryLink.expires_at < now))
    token = secrets.token_urlsafe(24)
    session.add(
        SummaryLink(token_hash=digest(token), conversation_id=conversation_id, expires_at=now + SUMMARY_LINK_LIFETIME)
    )
    return token


def summary_link_conversation(session: Session, token: object, now: dt.datetime | None = None) -> str | None:
    """The conversation a summary link reads, or None if the token is unknown or expired."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    row = session.scalars(select(SummaryLink).where(SummaryLink.token_hash == digest(token))).first()
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    return str(row.conversation_id)
