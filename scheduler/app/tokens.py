"""Staff tokens: shown once at creation, stored only as a SHA-256 hash, revocable by name."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from actions.errors import DuplicateError, InvalidInputError, NotFoundError
from actions.models import ApiToken, StaffSession
from actions.views import iso
from config.names import name_problem

PREFIX = "uas_"


def digest(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough, unlike for passwords.
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, name: str, *, now: datetime) -> str:
    """Make a token for ``name``; return it (the only time it is ever shown)."""
    problem = name_problem(name, "token name")
    if problem is not None:
        raise InvalidInputError("name", problem)
    if session.exec(select(ApiToken).where(ApiToken.name == name)).first() is not None:
        raise DuplicateError(f"a token named {name!r} exists: revoke it or choose another name")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=digest(token), created_at=now))
    try:
        session.commit()
    except IntegrityError:  # the same name raced in
        session.rollback()
        raise DuplicateError(f"a token named {name!r} exists: revoke it or choose another name") from None
    return token


def listed(session: Session) -> Sequence[ApiToken]:
    return session.exec(select(ApiToken).order_by(col(ApiToken.name))).all()


def described(session: Session) -> list[dict[str, str | None]]:
    """Tokens by name and dates; never the tokens, nor their hashes."""
    return [
        {
            "name": t.name,
            "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at),
            "revoked_at": iso(t.revoked_at),
        }
        for t in listed(session)
    ]


def revoke(session: Session, name: str, *, now: datetime) -> None:
    row = session.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if row is None:
        raise NotFoundError(f"no token named {name!r}: see `ua-scheduler tokens list`")
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        session.commit()


def by_hash(session: Session, token_hash: str) -> ApiToken | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()
    return row if row is not None and row.revoked_at is None else None


def verify(session: Session, token: str, *, now: datetime) -> ApiToken | None:
    """The live token ``token`` is, or None; notes when it was last used."""
    row = by_hash(session, digest(token))
    if row is not None:
        row.last_used_at = now
        session.add(row)
        session.commit()
    return row


def open_session(session: Session, token: ApiToken, *, now: datetime, lifetime: timedelta) -> str:
    """Sign ``token``'s holder in to the dashboard; return the session key for the cookie."""
    assert token.id is not None
    key = secrets.token_urlsafe(32)
    session.add(
        StaffSession(key_hash=digest(key), token_id=token.id, created_at=now, expires_at=now + lifetime)
    )
    return key


def session_token(session: Session, key: str, *, now: datetime) -> ApiToken | None:
    """The live token behind a dashboard session: None once signed out, expired or the token revoked."""
    row = session.exec(select(StaffSession).where(StaffSession.key_hash == digest(key))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    token = session.get(ApiToken, row.token_id)
    return token if token is not None and token.revoked_at is None else None


def close_session(session: Session, key: str, *, now: datetime) -> None:
    """Sign out: the session ends on the server, whoever still holds its cookie."""
    row = session.exec(select(StaffSession).where(StaffSession.key_hash == digest(key))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
