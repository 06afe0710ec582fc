"""Tables for staff accounts and their sessions (prefixed staff_)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String

from signpost.storage.base import Base, UtcDateTime


class StaffUser(Base):
    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(UtcDateTime, nullable=False)


class StaffSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "staff_sessions"
    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UtcDateTime, nullable=False)
    expires_at = Column(UtcDateTime, nullable=False, index=True)


class LoginFailure(Base):
    """A failed sign-in, keyed by a hash of the username or of the client address."""

    __tablename__ = "staff_login_failures"
    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(64), nullable=False, index=True)
    at = Column(UtcDateTime, nullable=False, index=True)
