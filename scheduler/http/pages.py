"""Public pages for supporters (no login): the action, the report form, personal reminders, the calendar."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote

import pycountry
import structlog
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from icalendar import Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import ValidationError
from sqlmodel import Session

from actions import store, subscriptions
from actions.deadlines import local_text, time_left_in_words
from actions.errors import InvalidInputError, NotFoundError
from actions.models import KINDS, Action, ActionStatus, Report, Target
from actions.tally import page_totals
from actions.views import iso
from config.errors import Invalid, NotFound, Refused
from config.names import NAME_PATTERN
from config.validation import field_of, problem_of
from jobs.confirm import ask_to_confirm
from scheduler.http.deps import CsrfDep, LimiterDep, MetricsDep, ServiceDep, SessionDep
from scheduler.http.guards import CSRF_COOKIE, CSRF_FIELD, Csrf, RateLimiter
from scheduler.http.reports import ReportIn, record_report
from scheduler.service import Service

log = structlog.get_logger("ua_scheduler.http")

router = APIRouter(tags=["public pages"])

KIND_LABELS = {
    "letter": "Letters (posted)",
    "email": "Emails",
    "fax": "Faxes",
    "call": "Phone calls",
    "post": "Social media posts",
    "other": "Other actions",
}
OTHER_FIELDS = {
    "country": "Country",
    "supporter_email": "Your email",
    "received_at": "Deadline",
    "ua": "This action",
}
NOTHING_REPORTED = "Fill in at least one number: how many of any kind you sent."
IDEMPOTENCY_FIELD = "idempotency_key"
SOCIAL_PROFILES = {
    "twitter": "https://x.com/{}",
    "x": "https://x.com/{}",
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}/",
}
_HANDLE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_TOKEN = re.compile(NAME_PATTERN)


async def _form(request: Request) -> dict[str, str]:
    """The posted form's text fields (files are ignored)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(_form)]


# ---------------------------------------------------------------------------------------------- helpers


def _templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def _page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    csrf_token: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``name``; with ``csrf_token``, also set the CSRF cookie the page's forms submit against."""
    response = _templates(request).TemplateResponse(
        request, name, {**context, "csrf_field": CSRF_FIELD, "csrf_token": csrf_token}, status_code=status
    )
    if csrf_token is not None:
        response.set_cookie(
            CSRF_COOKIE,
            csrf_token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _message(
    request: Request,
    heading: str,
    text: str,
    *,
    status: int = 200,
    link: tuple[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "message.html",
        {"heading": heading, "text": text, "link": link},
        status=status,
        headers=headers,
    )


def _not_found(request: Request, text: str) -> HTMLResponse:
    return _message(request, "Not found", text, status=404)


def _load(session: Session, number: str) -> Action | None:
    try:
        return store.get_action(session, number)
    except (NotFound, Invalid):
        return None


def _no_action(request: Request, number: str) -> HTMLResponse:
    return _not_found(request, f"There is no Urgent Action {number} here. Check the number in the link.")


def _guard(
    request: Request, limiter: RateLimiter, csrf: Csrf | None, door: str, form: dict[str, str]
) -> HTMLResponse | None:
    """A page refusing the request (too many, or a forged or expired form), or None to go on."""
    try:
        limiter.check(request, door)
        if csrf is not None:
            csrf.check(request, form.get(CSRF_FIELD))
    except HTTPException as exc:
        heading = "Too many requests" if exc.status_code == 429 else "Form expired"
        return _message(request, heading, str(exc.detail), status=exc.status_code, headers=exc.headers)
    return None


def _receipts(service: Service) -> URLSafeSerializer:
    """Signs report ids in confirmation links, so one cannot page through others' reports."""
    return URLSafeSerializer(service.secret(), salt="report-receipt")


@cache
def _countries() -> tuple[tuple[str, str], ...]:
    names = []
    for code in store.COUNTRY_CODES:
        country = pycountry.countries.get(alpha_2=code)
        name = getattr(country, "common_name", None) or getattr(country, "name", code)
        names.append((code, str(name)))
    return tuple(sorted(names, key=lambda item: item[1]))


def _country_name(code: str | None) -> str | None:
    if code is None:
        return None
    return dict(_countries()).get(code, code)


def _tel(number: str) -> str:
    digits = re.sub(r"[^0-9]", "", number)
    return f"tel:{'+' if number.strip().startswith('+') else ''}{digits}"


@dataclass(frozen=True)
class Contact:
    kind: str
    text: str
    href: str | None


@dataclass(frozen=True)
class TargetView:
    name: str
    title: str | None
    rank: str | None
    salutation: str | None
    postal_address: str | None
    postal_note: str | None
    contacts: list[Contact] = field(default_factory=list)


def _target_view(target: Target) -> TargetView:
    contacts = [Contact("Email", e, f"mailto:{quote(e, safe='@')}") for e in target.emails]
    contacts += [Contact("Phone", p, _tel(p)) for p in target.phones]
    contacts += [Contact("Fax", f, _tel(f)) for f in target.faxes]
    for platform, handle in target.social.items():
        bare = handle.strip().removeprefix("@")
        profile = SOCIAL_PROFILES.get(platform.lower())
        href = profile.format(bare) if profile and _HANDLE.fullmatch(bare) else None
        contacts.append(Contact(platform.capitalize(), handle, href))
    return TargetView(
        name=target.name,
        title=target.title,
        rank=target.rank,
        salutation=target.salutation,
        postal_address=target.postal_address,
        postal_note=target.postal_note,
        contacts=contacts,
    )


def _state(action: Action, now: datetime) -> str:
    """``open``, ``closed`` (also once the deadline passed, before the daemon closes it) or ``cancelled``."""
    if action.status is ActionStatus.CANCELLED:
        return "cancelled"
    if action.status is ActionStatus.CLOSED or now >= action.deadline:
        return "closed"
    return "open"


def _action_context(service: Service, session: Session, action: Action) -> dict[str, Any]:
    """What every page about one action shows: number, title, deadline, state and the running total."""
    assert action.id is not None
    now = service.clock.now()
    state = _state(action, now)
    return {
        "action": action,
        "state": state,
        "takes_reports": state == "open" or (state == "closed" and action.late_reports_welcome),
        "can_remind": state == "open" and service.settings.mail_url is not None,
        "deadline_iso": iso(action.deadline),
        "now_iso": iso(now),
        "deadline_local": local_text(action.deadline, action.timezone),
        "deadline_utc": f"{action.deadline:%A} {action.deadline.day} {action.deadline:%B %Y}, "
        f"{action.deadline:%H:%M} UTC",
        "time_left": time_left_in_words(action.deadline - now) if state == "open" else None,
        "tally": page_totals(session, action),
        "kind_labels": KIND_LABELS,
    }


def _report_form(
    request: Request,
    csrf: Csrf,
    context: dict[str, Any],
    *,
    values: dict[str, str] | None = None,
    error: tuple[str, str] | None = None,
) -> HTMLResponse:
    values = dict(values or {})
    values.setdefault(IDEMPOTENCY_FIELD, secrets.token_urlsafe(16))
    return _page(
        request,
        "report.html",
        {
            **context,
            "values": values,
            "error_field": error[0] if error else None,
            "error": error[1] if error else None,
            "countries": _countries(),
            "idempotency_field": IDEMPOTENCY_FIELD,
        },
        status=422 if error else 200,
        csrf_token=csrf.issue(request),
    )


def _label(name: str) -> str:
    return KIND_LABELS.get(name) or OTHER_FIELDS.get(name) or name


def _report_in(form: dict[str, str]) -> ReportIn | tuple[str, str]:
    """The form as a ``ReportIn``, or the field at fault and what is wrong with it."""
    counts: dict[str, str] = {}
    for kind in KINDS:
        raw = form.get(kind, "").strip()
        counts[kind] = raw or "0"
    body = {
        "counts": counts,
        "country": form.get("country", "").strip().upper() or None,
        "supporter_email": form.get("supporter_email", "").strip() or None,
    }
    try:
        return ReportIn.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = field_of(first, default="counts").rsplit(".", 1)[-1]
        return name, f"{_label(name)}: {problem_of(first)}"


# ------------------------------------------------------------------------------------------ the action


@router.get("/ua/{number}", response_class=HTMLResponse, include_in_schema=False)
def action_page(
    request: Request, number: str, service: ServiceDep, session: SessionDep, csrf: CsrfDep
) -> HTMLResponse:
    """The action as a supporter needs it: whom to write to, how, by when; the running total."""
    action = _load(session, number)
    if action is None:
        return _no_action(request, number)
    context = _action_context(service, session, action)
    context["targets"] = [_target_view(t) for t in store.targets_of(session, action)]
    return _page(request, "action.html", context, csrf_token=csrf.issue(request))


# ------------------------------------------------------------------------------------------ reporting


@router.get("/ua/{number}/report", response_class=HTMLResponse, include_in_schema=False)
def report_form(
    request: Request, number: str, service: ServiceDep, session: SessionDep, csrf: CsrfDep
) -> HTMLResponse:
    """The form: let us know the actions you took."""
    action = _load(session, number)
    if action is None:
        return _no_action(request, number)
    return _report_form(request, csrf, _action_context(service, session, action))


@router.post("/ua/{number}/report", response_class=HTMLResponse, include_in_schema=False)
def report_submit(
    request: Request,
    number: str,
    form: FormDep,
    service: ServiceDep,
    session: SessionDep,
    metrics: MetricsDep,
    limiter: LimiterDep,
    csrf: CsrfDep,
) -> Response:
    """Store the report and show the receipt; re-show the form naming the field at fault."""
    refused = _guard(request, limiter, csrf, "report", form)
    if refused is not None:
        return refused
    action = _load(session, number)
    if action is None:
        return _no_action(request, number)
    context = _action_context(service, session, action)
    parsed = _report_in(form)
    if isinstance(parsed, tuple):
        return _report_form(request, csrf, context, values=form, error=parsed)
    key = form.get(IDEMPOTENCY_FIELD, "").strip()
    try:
        report = record_report(
            service,
            metrics,
            action.ua,
            parsed,
            source="web",
            idempotency_key=f"web-{key}" if _TOKEN.fullmatch(key) else None,
        )
    except Invalid as exc:
        session.rollback()
        problem = NOTHING_REPORTED if exc.field == "counts" else f"{_label(exc.field)}: {exc.problem}"
        return _report_form(request, csrf, context, values=form, error=(exc.field, problem))
    receipt = _receipts(service).dumps(report.id)
    return RedirectResponse(f"/ua/{action.ua}/reported?id={quote(str(receipt))}", status_code=303)


@router.get("/ua/{number}/reported", response_class=HTMLResponse, include_in_schema=False)
def report_receipt(
    request: Request, number: str, service: ServiceDep, session: SessionDep, csrf: CsrfDep, id: str = ""
) -> HTMLResponse:
    """Thanks, what was recorded, the running total, and whether the report counted as late."""
    action = _load(session, number)
    if action is None:
        return _no_action(request, number)
    try:
        report_id = int(_receipts(service).loads(id))
    except (BadSignature, ValueError, TypeError):
        report_id = None
    report = session.get(Report, report_id) if report_id is not None else None
    if report is None or report.action_id != action.id:
        return _not_found(request, "This receipt link is not valid. Your report may still have been stored.")
    context = _action_context(service, session, action)
    context["report"] = report
    context["recorded"] = [(KIND_LABELS[k], getattr(report, k)) for k in KINDS if getattr(report, k)]
    context["report_country"] = _country_name(report.country)
    return _page(request, "reported.html", context, csrf_token=csrf.issue(request))


# --------------------------------------------------------------------------------- personal reminders


@router.post("/ua/{number}/remind", response_class=HTMLResponse, include_in_schema=False)
def remind_me(
    request: Request,
    number: str,
    form: FormDep,
    service: ServiceDep,
    session: SessionDep,
    limiter: LimiterDep,
    csrf: CsrfDep,
) -> HTMLResponse:
    """Ask for reminders by email; a confirmation link goes out (double opt-in)."""
    refused = _guard(request, limiter, csrf, "remind", form)
    if refused is not None:
        return refused
    action = _load(session, number)
    if action is None:
        return _no_action(request, number)
    mail_url = service.settings.mail_url
    if mail_url is None:
        return _message(
            request,
            "Reminders are not available",
            "Personal reminders by email are not set up on this site.",
            status=503,
            link=(f"/ua/{action.ua}", f"Back to UA {action.ua}"),
        )
    address = form.get("email", "")
    try:
        subscription, new = subscriptions.subscribe(session, action, address, now=service.clock.now())
    except InvalidInputError as exc:
        context = _action_context(service, session, action)
        field_name = "Your email" if exc.field == "email" else _label(exc.field)
        context.update(error=f"{field_name}: {exc.problem}", email_value=address)
        return _page(request, "remind.html", context, status=422, csrf_token=csrf.issue(request))
    session.flush()
    queued = subscription.confirmed_at is None and ask_to_confirm(
        session, action, subscription, public_url=service.settings.public_url, now=service.clock.now()
    )
    if queued:
        try:
            subscriptions.count_confirmation(
                session, action, subscription.email, now=service.clock.now(), salt=service.secret()
            )
        except Refused as exc:
            session.rollback()  # nothing queued, nothing kept
            context = _action_context(service, session, action)
            context.update(error=f"Your email: {exc}", email_value=address)
            return _page(request, "remind.html", context, status=422, csrf_token=csrf.issue(request))
    session.commit()
    if queued:
        log.info("subscription.requested", action=action.ua, subscription=subscription.id, new=new)
    return _message(
        request,
        "Check your inbox",
        f"If this address can get reminders for UA {action.ua}, an email with a confirmation link is "
        "on its way. Reminders start once you follow that link.",
        link=(f"/ua/{action.ua}", f"Back to UA {action.ua}"),
    )


@router.get("/remind/confirm/{token}", response_class=HTMLResponse, include_in_schema=False)
def remind_confirm(request: Request, token: str, service: ServiceDep, session: SessionDep) -> HTMLResponse:
    """Confirm a reminder request from the emailed link."""
    try:
        subscription = subscriptions.confirm(session, token, now=service.clock.now())
    except NotFoundError as exc:
        return _not_found(request, str(exc))
    action = store.get_action_by_id(session, subscription.action_id)
    session.flush()
    service.refresh_prepared(session, action)  # a reminder about to go out reaches them too
    session.commit()
    return _message(
        request,
        "Reminders confirmed",
        f"You will get email reminders for UA {action.ua} until its deadline. "
        "Each one has a link to stop them.",
        link=(f"/ua/{action.ua}", f"UA {action.ua}: {action.title}"),
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_form(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    """A one-button form: a GET never deletes (mail scanners follow links)."""
    try:
        subscription = subscriptions.by_token(session, token)
    except NotFoundError as exc:
        return _not_found(request, str(exc))
    action = store.get_action_by_id(session, subscription.action_id)
    return _page(request, "unsubscribe.html", {"action": action, "token": token})


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    """Forget the address at once. No CSRF token: the secret token in the path is the proof,
    so a mail client's RFC 8058 ``List-Unsubscribe=One-Click`` POST works too."""
    try:
        subscription = subscriptions.unsubscribe(session, token)
    except NotFoundError as exc:
        return _not_found(request, str(exc))
    action = store.get_action_by_id(session, subscription.action_id)
    session.commit()
    return _message(
        request,
        "Reminders stopped",
        f"You will get no more reminders for UA {action.ua}, and we no longer hold your address for it.",
        link=(f"/ua/{action.ua}", f"UA {action.ua}: {action.title}"),
    )


# ------------------------------------------------------------------------------------------ calendar


@router.get(
    "/calendar.ics",
    summary="Deadlines of open actions as an iCalendar feed",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(service: ServiceDep, session: SessionDep) -> Response:
    """One event per open action at its deadline (UTC), linking to the action and its report form."""
    base = service.settings.public_url
    feed = Calendar()
    feed.add("prodid", "-//ua-scheduler//Urgent Action deadlines//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Urgent Action deadlines")
    stamp = service.clock.now()
    for action in store.list_actions(session, ActionStatus.OPEN):
        event = Event()
        event.add("uid", f"ua-{action.ua}@ua-scheduler")
        event.add("dtstamp", stamp)
        event.add("dtstart", action.deadline)
        event.add("summary", f"UA {action.ua} deadline: {action.title}")
        event.add("url", f"{base}/ua/{action.ua}")
        event.add(
            "description",
            f"Deadline of Urgent Action {action.ua} ({local_text(action.deadline, action.timezone)}).\n"
            f"Act: {base}/ua/{action.ua}\nTell us what you did: {base}/ua/{action.ua}/report",
        )
        feed.add_component(event)
    return Response(feed.to_ical(), media_type="text/calendar; charset=utf-8")
