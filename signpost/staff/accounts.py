"""Staff accounts, sign-in sessions and the sign-in lockout.

Passwords are hashed with Argon2id (argon2-cffi) and must be hard to guess: at
least `MIN_PASSWORD_CHARS` characters and a zxcvbn score of at least
`MIN_PASSWORD_SCORE`, which refuses common passwords, keyboard walks, repeats,
dates and passwords made of the username or the service's name. A session is a
random token in an HttpOnly cookie; the database keeps only its SHA-256.

After `MAX_FAILURES` failed sign-ins for one username, or from one address,
within `FAILURE_WINDOW`, further attempts are refused until the window has
passed. The lockout table is keyed by an HMAC (with the installation's staff
secret) of the name or address, so it cannot be reversed by hashing guesses.
An attempt is counted before its password is checked (`begin_attempt`) and
forgotten when it succeeds, so attempts made at the same time cannot slip past
the limit. Functions take a Session; callers commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from signpost.staff.models import LoginFailure, StaffSession, StaffUser
from signpost.storage.clock import utcnow

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
# zxcvbn scores 0-4; 3 is "safely unguessable" (about 10^10 guesses or more).
MIN_PASSWORD_SCORE = 3
# Words a guesser would try first against this service, besides the username.
SERVICE_WORDS = ("dystonia", "signpost", "helpline", "staff", "console")
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
MAX_FAILURES = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)
MAX_TOKEN_CHARS = 128

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request to manage accounts that cannot be done, with a message for the operator."""


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    username: str
    csrf_token: str


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt counted against the lockout before its password is checked."""

    failure_ids: list[int]
    user_id: int | None
    password_hash: str | None


def _normal_name(username: str) -> str:
    return username.strip().lower()


def _valid_name(name: str) -> bool:
    return 2 <= len(name) <= 64 and set(name) <= USERNAME_CHARS


def check_username(username: str) -> str:
    name = _normal_name(username)
    if not _valid_name(name):
        raise AccountError("A username is 2 to 64 characters: letters, digits, '.', '_' or '-'.")
    return name


def check_password(password: str, username: str = "") -> str:
    """The password if it is long enough and hard to guess; AccountError saying why not."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_CHARS} characters.")
    from zxcvbn import zxcvbn  # loads its word lists: only when a password is set

    verdict = zxcvbn(password[:100], user_inputs=[username, *SERVICE_WORDS])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        feedback = verdict["feedback"]
        advice = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        raise AccountError(f"That password is too easy to guess. {advice}".strip())
    return password


def add_user(session: Session, username: str, password: str, now: dt.datetime | None = None) -> StaffUser:
    name = check_username(username)
    if session.scalars(select(StaffUser).where(StaffUser.username == name)).first():
        raise AccountError(f"There is already a user called {name!r}.")
    password_hash = _hasher.hash(check_password(password, name))
    user = StaffUser(username=name, password_hash=password_hash, created_at=now or utcnow())
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


def _keyed(secret: str, value: str) -> str:
    return hmac.new(secret.encode("utf-8"), value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def failure_keys(secret: str, username: str, address: str | None) -> list[str]:
    """Keys the lockout counts by: HMACs, so the table holds no address or name and
    cannot be turned back into them without the secret."""
    keys = [_keyed(secret, "user:" + _normal_name(username))]
    if address:
        keys.append(_keyed(secret, "addr:" + address))
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
            wait = latest + FAILURE_WINDOW - now
            longest = max(longest or wait, wait)
    return longest


def begin_attempt(session: Session, keys: list[str], username: str, now: dt.datetime | None = None) -> Attempt:
    """Count a sign-in attempt as failed until `succeeded` says otherwise, and find the user.

    A name that could not be a username is never looked up (it may hold characters a
    database refuses); it is checked against a dummy hash like any unknown name.
    """
    now = now or utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - FAILURE_WINDOW))
    failures = [LoginFailure(key=key, at=now) for key in keys]
    session.add_all(failures)
    session.flush()
    name = _normal_name(username)
    user = session.scalars(select(StaffUser).where(StaffUser.username == name)).first() if _valid_name(name) else None
    return Attempt(
        failure_ids=[f.id for f in failures],
        user_id=user.id if user else None,
        password_hash=user.password_hash if user else None,
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this when the user does not exist takes as long as a real check."""
    return _hasher.hash(secrets.token_urlsafe(16))


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from (an Argon2 check: slow
    on purpose, so callers run it off the event loop). None checks a dummy hash."""
    try:
        _hasher.verify(password_hash or _dummy_hash(), password[:MAX_PASSWORD_CHARS].encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def succeeded(session: Session, attempt: Attempt) -> None:
    """The attempt's password was right: it no longer counts against the lockout."""
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt.failure_ids)))


def start_session(session: Session, user_id: int, now: dt.datetime | None = None) -> str:
    """A new session for the user; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_digest(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def _usable_token(token: str | None) -> bool:
    return bool(token) and len(token or "") <= MAX_TOKEN_CHARS and (token or "").isascii()


def signed_in(session: Session, token: str | None, now: dt.datetime | None = None) -> SignedIn | None:
    if not _usable_token(token):
        return None
    row = session.get(StaffSession, _digest(str(token)))
    if row is None:
        return None
    if row.expires_at <= (now or utcnow()):
        session.delete(row)
        return None
    user = session.get(StaffUser, row.user_id)
    return SignedIn(user.id, user.username, row.csrf_token) if user else None


def end_session(session: Session, token: str | None) -> None:
    if _usable_token(token):
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(str(token))))
