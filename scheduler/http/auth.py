"""Staff access: ``Authorization: Bearer <token>`` for the API, a signed cookie for the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from actions.models import ApiToken
from scheduler.app import tokens
from scheduler.http.deps import ServiceDep, SessionDep, csrf

SESSION_COOKIE = "ua_staff"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_MAX_AGE_S = 12 * 3600


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="staff-session")


def session_cookie(secret: bytes, token_hash: str) -> str:
    return str(_serializer(secret).dumps(token_hash))


def _from_cookie(request: Request, secret: bytes) -> str | None:
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    try:
        token_hash = _serializer(secret).loads(value, max_age=SESSION_MAX_AGE_S)
    except BadSignature:
        return None
    return str(token_hash)


def require_staff(request: Request, service: ServiceDep, session: SessionDep) -> ApiToken:
    """The staff token behind this request, from the bearer header or the dashboard's cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    row: ApiToken | None = None
    if scheme.lower() == "bearer" and credential:
        row = tokens.verify(session, credential.strip(), now=service.clock.now())
    else:
        token_hash = _from_cookie(request, service.secret())
        row = tokens.by_hash(session, token_hash) if token_hash else None
        if row is not None and request.method not in SAFE_METHODS:
            # A cookie rides along with any request the browser makes: changes need the CSRF token.
            csrf(request).check(request, request.headers.get(CSRF_HEADER))
    if row is None:
        raise HTTPException(
            401,
            "staff only: send Authorization: Bearer <token> (see `ua-scheduler tokens create`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return row


StaffDep = Annotated[ApiToken, Depends(require_staff)]
