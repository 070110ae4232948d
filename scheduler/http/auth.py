"""Staff access: ``Authorization: Bearer <token>`` for the API, a signed cookie for the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from actions.models import ApiToken
from scheduler.app import tokens
from scheduler.http.deps import CsrfDep, ServiceDep, SessionDep

SESSION_COOKIE = "ua_staff"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_MAX_AGE_S = 12 * 3600
SESSION_LIFETIME = timedelta(seconds=SESSION_MAX_AGE_S)
"""A dashboard session ends this long after sign-in, on the server as in the browser."""


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="staff-session")


def session_cookie(secret: bytes, session_key: str) -> str:
    """The cookie's value: the server-side session's key, signed."""
    return str(_serializer(secret).dumps(session_key))


def session_key(request: Request, secret: bytes) -> str | None:
    """The session key the request's cookie carries, if its signature holds."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    try:
        key = _serializer(secret).loads(value, max_age=SESSION_MAX_AGE_S)
    except BadSignature:
        return None
    return str(key)


def require_staff(request: Request, service: ServiceDep, session: SessionDep, csrf: CsrfDep) -> ApiToken:
    """The staff token behind this request, from the bearer header or the dashboard's cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    row: ApiToken | None = None
    if scheme.lower() == "bearer" and credential:
        row = tokens.verify(session, credential.strip(), now=service.clock.now())
    else:
        key = session_key(request, service.secret())
        row = tokens.session_token(session, key, now=service.clock.now()) if key else None
        if row is not None and request.method not in SAFE_METHODS:
            # A cookie rides along with any request the browser makes: changes need the CSRF token.
            csrf.check(request, request.headers.get(CSRF_HEADER))
    if row is None:
        raise HTTPException(
            401,
            "staff only: send Authorization: Bearer <token> (see `ua-scheduler tokens create`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return row


StaffDep = Annotated[ApiToken, Depends(require_staff)]
