"""Staff accounts, sign-in sessions and the sign-in lockout.

Passwords are hashed with Argon2id (argon2-cffi). A session is a random token
in an HttpOnly cookie; the database keeps only its SHA-256. After
`MAX_FAILURES` failed sign-ins for one username, or from one address, within
`FAILURE_WINDOW`, further attempts are refused until the window has passed.
Functions take a Session; callers commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from signpost.conversations.repository import utcnow
from signpost.staff.models import LoginFailure, StaffSession, StaffUser

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
MAX_FAILURES = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)

_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    """A request to manage accounts that cannot be done, with a message for the operator."""


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    username: str
    csrf_token: str


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not 2 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise AccountError("A username is 2 to 64 characters: letters, digits, '.', '_' or '-'.")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_CHARS} characters.")
    return password


def add_user(session: Session, username: str, password: str, now: dt.datetime | None = None) -> StaffUser:
    name = check_username(username)
    if session.scalars(select(StaffUser).where(StaffUser.username == name)).first():
        raise AccountError(f"There is already a user called {name!r}.")
    user = StaffUser(username=name, password_hash=_hasher.hash(check_password(password)), created_at=now or utcnow())
    session.add(user)
    return user


def remove_user(session: Session, username: str) -> None:
    user = session.scalars(select(StaffUser).where(StaffUser.username == check_username(username))).first()
    if user is None:
        raise AccountError(f"There is no user called {username!r}.")
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.delete(user)


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def failure_keys(username: str, address: str | None) -> list[str]:
    """Keys the lockout counts by; hashed, so the table holds no address or name."""
    keys = [_digest("user:" + username.strip().lower())]
    if address:
        keys.append(_digest("addr:" + address))
    return keys


def locked_for(session: Session, keys: list[str], now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long sign-in stays refused for any of `keys`, or None if it is allowed."""
    now = now or utcnow()
    since = now - FAILURE_WINDOW
    longest: dt.timedelta | None = None
    for key in keys:
        query = select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.key == key, LoginFailure.at > since)
        count, latest = session.execute(query).one()
        if count >= MAX_FAILURES and latest is not None:
            latest = latest if latest.tzinfo else latest.replace(tzinfo=dt.timezone.utc)
            wait = latest + FAILURE_WINDOW - now
            longest = max(longest or wait, wait)
    return longest


def authenticate(
    session: Session, username: str, password: str, address: str | None, now: dt.datetime | None = None
) -> StaffUser | None:
    """The user if the password is right; otherwise record a failure for the name and the address."""
    now = now or utcnow()
    name = username.strip().lower()
    user = session.scalars(select(StaffUser).where(StaffUser.username == name)).first() if name else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password[:MAX_PASSWORD_CHARS])
        if user is not None:
            return user
    except (VerificationError, InvalidHashError):
        pass
    for key in failure_keys(name, address):
        session.add(LoginFailure(key=key, at=now))
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - FAILURE_WINDOW))
    return None


def start_session(session: Session, user: StaffUser, now: dt.datetime | None = None) -> str:
    """A new session for `user`; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def signed_in(session: Session, token: str | None, now: dt.datetime | None = None) -> SignedIn | None:
    if not token or len(token) > 128:
        return None
    row = session.get(StaffSession, _digest(token))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.timezone.utc)
    if expires <= (now or utcnow()):
        session.delete(row)
        return None
    user = session.get(StaffUser, row.user_id)
    return SignedIn(user.id, user.username, row.csrf_token) if user else None


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))
