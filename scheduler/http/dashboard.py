"""The staff dashboard: sign in with a token, then open actions, what comes next and what went out.

The session is a signed cookie holding the token's hash (HttpOnly, SameSite=Strict); the page carries
the CSRF token its buttons send as ``X-CSRF-Token`` to the staff API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from actions import views
from scheduler.app import channels, deliveries, review, tallies, tokens
from scheduler.app.timetable import timetable
from scheduler.http.auth import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    SESSION_MAX_AGE_S,
    require_staff,
    session_cookie,
    session_key,
)
from scheduler.http.deps import CsrfDep, LimiterDep, ServiceDep, SessionDep
from scheduler.http.guards import CSRF_COOKIE, CSRF_FIELD, Csrf

router = APIRouter(include_in_schema=False)

NEXT_ROWS = 20
RECENT_ROWS = 30
TOKEN_MAX_LEN = 200


def _templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _with_csrf(request: Request, csrf: Csrf, response: Response, token: str) -> Response:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_page(request: Request, csrf: Csrf, *, status: int = 200, error: str | None = None) -> Response:
    token = csrf.issue(request)
    page = _templates(request).TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "csrf_field": CSRF_FIELD, "error": error},
        status_code=status,
    )
    return _with_csrf(request, csrf, page, token)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, csrf: CsrfDep) -> Response:
    return _login_page(request, csrf)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    service: ServiceDep,
    session: SessionDep,
    csrf: CsrfDep,
    limiter: LimiterDep,
    token: Annotated[str, Form(max_length=TOKEN_MAX_LEN)] = "",
    csrf_token: Annotated[str, Form(max_length=TOKEN_MAX_LEN)] = "",
) -> Response:
    limiter.check(request, "login")  # tokens cannot be guessed, but nobody need be let to try
    try:
        csrf.check(request, csrf_token)
    except HTTPException as exc:
        return _login_page(request, csrf, status=exc.status_code, error=str(exc.detail))
    found = tokens.verify(session, token.strip(), now=service.clock.now()) if token.strip() else None
    if found is None:
        return _login_page(
            request,
            csrf,
            status=401,
            error="That token is not a staff token, or it was revoked. "
            "Ask for one made with `ua-scheduler tokens create NAME`.",
        )
    key = tokens.open_session(session, found, now=service.clock.now(), lifetime=SESSION_LIFETIME)
    session.commit()
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie(service.secret(), key),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    service: ServiceDep,
    session: SessionDep,
    csrf: CsrfDep,
    csrf_token: Annotated[str, Form(max_length=TOKEN_MAX_LEN)] = "",
) -> Response:
    csrf.check(request, csrf_token)
    key = session_key(request, service.secret())
    if key is not None:  # ended on the server: a copy of the cookie kept elsewhere is worth nothing
        tokens.close_session(session, key, now=service.clock.now())
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, service: ServiceDep, session: SessionDep, csrf: CsrfDep) -> Response:
    try:
        staff = require_staff(request, service, session, csrf)
    except HTTPException:
        return RedirectResponse("/login", status_code=303)
    token = csrf.issue(request)
    context: dict[str, Any] = {
        "staff_name": staff.name,
        "csrf_token": token,
        "csrf_field": CSRF_FIELD,
        "now": views.iso(service.clock.now()),
        "actions": tallies.running_totals(session),
        "held": review.held(session),
        "review_above": service.settings.report_review_above,
        "upcoming": timetable(
            session, settings=service.settings, channels=service.channels, now=service.clock.now()
        )[:NEXT_ROWS],
        "recent": deliveries.recent(session, limit=RECENT_ROWS),
        "channels": [c.describe() for c in channels.listed(session, service.channels)],
    }
    page = _templates(request).TemplateResponse(request, "dashboard.html", context)
    return _with_csrf(request, csrf, page, token)
