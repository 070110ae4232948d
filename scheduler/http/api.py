"""The staff API: actions, channels, sections' CSV reports, tallies and the timetable.

Every route needs a staff token (``Authorization: Bearer``, see ``ua-scheduler tokens create``) or the
dashboard's session cookie, which for changes also needs the ``X-CSRF-Token`` header. Channel URLs
carry secrets: they go in, and only their masked form ever comes out.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from actions import counters, csv_reports, store, views
from actions.deadlines import DateWindow
from actions.errors import DuplicateError, InvalidInputError, NotFoundError
from actions.models import ActionStatus, Channel
from actions.specs import ActionSpec
from actions.tally import count
from jobs.channels import ChannelRef, check_name, check_url, select_channels
from jobs.due import close_by_staff
from jobs.errors import ChannelError
from jobs.notify import Message, send_one
from jobs.report import MEDIA_TYPES, TallyFormat, render_bytes
from scheduler.http.auth import require_staff
from scheduler.http.deps import MetricsDep, ServiceDep, SessionDep
from scheduler.http.errors import problem
from scheduler.http.reports import UA_PATH
from scheduler.service import Service

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="staffToken",
    description="A staff token from `ua-scheduler tokens create NAME`.",
)


class RowProblemOut(BaseModel):
    line: int = Field(description="Line of the CSV file, the header being line 1")
    field: str
    message: str = Field(examples=["line 4: letter: not a whole number: 'x'"])


class ProblemDetail(BaseModel):
    status: int
    message: str
    field: str | None = None
    rows: list[RowProblemOut] | None = None


class ProblemOut(BaseModel):
    """Every refusal: ``{"error": {"status", "message", "field"?}}``."""

    error: ProblemDetail


_STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemOut, "description": "No staff token, or one revoked"},
    403: {"model": ProblemOut, "description": "Cookie session without a valid X-CSRF-Token"},
    422: {"model": ProblemOut, "description": "A value that cannot be used; `field` names it"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ProblemOut, "description": "No such action"}}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ProblemOut, "description": "The action's status forbids this (or it exists)"}
}

router = APIRouter(
    prefix="/api/v1",
    tags=["staff"],
    dependencies=[Security(bearer), Depends(require_staff)],
    responses=_STAFF_ERRORS,
)

Number = Annotated[str, UA_PATH]
ChannelName = Annotated[str, Path(description="Channel name", min_length=1, max_length=200)]

# ---------------------------------------------------------------- response shapes


class ActionSummaryOut(BaseModel):
    ua: str = Field(examples=["61.20"])
    title: str
    status: ActionStatus
    deadline: str = Field(description="ISO 8601, UTC", examples=["2020-06-03T18:00:00Z"])
    timezone: str
    tags: list[str]


class SubjectOut(BaseModel):
    name: str | None
    pronouns: str | None


class TargetOut(BaseModel):
    name: str
    title: str | None
    rank: str | None
    salutation: str | None
    postal_address: str | None
    postal_note: str | None
    emails: list[str]
    phones: list[str]
    faxes: list[str]
    social: dict[str, str]


class ReminderOut(BaseModel):
    offset: str = Field(examples=["7d"])
    due: str | None
    status: str = Field(description="pending, sending, sent, skipped or expired")
    sent: bool
    sent_at: str | None


class HistoryOut(BaseModel):
    """One event; its details (old and new deadline, channels sent and failed…) vary by kind."""

    model_config = ConfigDict(extra="allow")

    at: str | None
    event: str


class ActionDetailOut(ActionSummaryOut):
    update_ordinal: int | None
    index_number: str | None
    subject: str | None
    subjects: list[SubjectOut]
    country: str | None
    deadline_date: str | None
    deadline_text: str | None
    preferred_languages: list[str]
    sample_letter: str | None
    additional_information: str | None
    late_reports_welcome: bool
    created_at: str | None
    closed_at: str | None
    targets: list[TargetOut]
    reminders: list[ReminderOut]
    history: list[HistoryOut]


class TimetableOut(BaseModel):
    at: str | None
    ua: str
    what: str
    tags: list[str]
    channels: list[str] = Field(description="Channels (by name) the message would go to now")


class ChannelOut(BaseModel):
    name: str
    url: str = Field(description="Masked: passwords, tokens and secret values are hidden")
    tags: list[str]
    source: str = Field(description="`database`, or the channels_file it comes from")


class TestSentOut(BaseModel):
    ok: bool
    channel: str


class ImportOut(BaseModel):
    ua: str
    reports_stored: int = Field(description="Rows stored now (rows already stored under the key: not)")
    actions_stored: int = Field(description="Actions in the rows stored now")
    total: int = Field(description="The action's tally total after the import (on time)")
    late_total: int
    late: bool = Field(description="Whether the rows came after the deadline (counted apart)")


# ---------------------------------------------------------------- request shapes


# What the schema shows (and fuzzers aim at); the validators themselves give friendlier messages.
UA_PATTERN = r"^\s*(?:[Uu][Aa]\s*:?\s*)?\d{1,4}\s*[./]\s*\d{2}\s*$"
TAG_PATTERN = r"^[A-Za-z0-9_-]+$"
DURATION_PATTERN = r"^(?:\d+[wdhms])+$"
DEADLINE_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
    "description": "A date (the end of that day in the action's zone) or an instant with an offset",
    "examples": ["2026-06-03", "2026-11-28T10:00:00Z"],
}


def _action_schema(schema: dict[str, Any]) -> None:
    properties = schema["properties"]
    properties["ua"]["pattern"] = UA_PATTERN
    properties["deadline"] = {"title": "Deadline", **DEADLINE_SCHEMA}
    properties["tags"]["items"]["pattern"] = TAG_PATTERN
    properties["reminders"] = {
        "title": "Reminders",
        "description": "Offsets before the deadline (default: the `reminders` setting)",
        "anyOf": [
            {"type": "array", "items": {"type": "string", "pattern": DURATION_PATTERN}},
            {"type": "null"},
        ],
        "examples": [["7d", "3d", "1d", "3h"]],
    }


class ActionIn(ActionSpec):
    """An action, as ``ua-scheduler actions add`` or an action file states it."""

    model_config = ConfigDict(json_schema_extra=_action_schema)

    ua: str = Field(max_length=32, examples=["61.20", "UA 219/06"])
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/Amsterdam"])


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deadline: Annotated[str, WithJsonSchema(DEADLINE_SCHEMA)] = Field(min_length=1, max_length=64)


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=64,
        json_schema_extra={"pattern": TAG_PATTERN},
        examples=["coordinators"],
    )
    url: str = Field(
        min_length=1,
        max_length=2_000,
        json_schema_extra={"pattern": r"^[A-Za-z][A-Za-z0-9+.-]*://"},
        description="An apprise URL",
        examples=["json://hooks.example.org/ua"],
    )
    tags: list[str] = Field(default_factory=list, max_length=32, examples=[["coordinators"]])

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for tag in value:
            if not tag or len(tag) > 64 or not tag.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"{tag[:64]!r} is not a tag: use letters, digits, '-' and '_'")
        return sorted(set(value))


# ---------------------------------------------------------------- actions


@router.get("/actions", summary="List actions", response_model=list[ActionSummaryOut])
def list_actions(
    session: SessionDep,
    status: Annotated[Literal["open", "closed", "cancelled", "all"], Query()] = "open",
) -> list[dict[str, Any]]:
    rows = store.list_actions(session, None if status == "all" else ActionStatus(status))
    return [views.action_summary(a) for a in rows]


@router.post(
    "/actions",
    summary="Create an action",
    status_code=201,
    response_model=ActionDetailOut,
    responses={409: {"model": ProblemOut, "description": "The UA exists already"}},
)
def create_action(spec: ActionIn, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    try:
        action = store.create_action(
            session,
            spec,
            now=service.clock.now(),
            default_timezone=service.settings.timezone,
            default_offsets=service.settings.reminders,
            window=DateWindow.of(service.settings, service.clock.now()),
        )
        session.commit()
    except OverflowError:
        raise InvalidInputError("deadline", "out of range (with its reminders)") from None
    except IntegrityError:  # the same UA raced in from another request
        session.rollback()
        raise DuplicateError(f"UA {spec.ua} already exists") from None
    return views.action_detail(session, action)


@router.get(
    "/actions/{number}", summary="One action in full", response_model=ActionDetailOut, responses=_NOT_FOUND
)
def get_action(number: Number, session: SessionDep) -> dict[str, Any]:
    return views.action_detail(session, store.get_action(session, number))


@router.post(
    "/actions/{number}/extend",
    summary="Move the deadline later; only reminders not sent yet are re-armed",
    response_model=ActionDetailOut,
    responses={**_NOT_FOUND, **_CONFLICT},
)
def extend_action(number: Number, body: ExtendIn, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    action = store.get_action(session, number)
    store.extend_later(
        session,
        action,
        body.deadline,
        now=service.clock.now(),
        default_offsets=service.settings.reminders,
        source="api",
        window=DateWindow.of(service.settings, service.clock.now()),
    )
    session.commit()
    return views.action_detail(session, action)


@router.post(
    "/actions/{number}/close",
    summary="Close now and store the final tally (the service delivers it)",
    response_model=ActionDetailOut,
    responses={**_NOT_FOUND, **_CONFLICT},
)
def close_action(number: Number, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    action = store.get_action(session, number)
    close_by_staff(service.work(), session, action, service.clock.now())
    session.commit()
    return views.action_detail(session, action)


@router.post(
    "/actions/{number}/cancel",
    summary="Cancel: no more reminders and no final tally",
    response_model=ActionDetailOut,
    responses={**_NOT_FOUND, **_CONFLICT},
)
def cancel_action(number: Number, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    action = store.get_action(session, number)
    store.cancel_action(session, action, now=service.clock.now(), reason="cancelled by staff")
    session.commit()
    return views.action_detail(session, action)


# ---------------------------------------------------------------- sections' CSV


async def csv_body(request: Request) -> str:
    """The request body as text, sent as ``text/csv`` in UTF-8."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "text/csv":
        raise HTTPException(415, "send the file as text/csv")
    raw = await request.body()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError("body", f"not UTF-8 text (byte {exc.start})") from None


CSV_EXAMPLE = "country,letter,email,fax,call,post,other,note\nNL,120,45,0,3,10,0,weeks 1-2\nBE,30,12,,,,,\n"


@router.post(
    "/actions/{number}/reports/import",
    summary="Import sections' totals: one CSV row per country, all stored or none",
    status_code=201,
    response_model=ImportOut,
    responses={
        **_NOT_FOUND,
        200: {"model": ImportOut, "description": "Every row was stored before under this Idempotency-Key"},
        415: {"model": ProblemOut, "description": "Not sent as text/csv"},
        422: {
            "model": ProblemOut,
            "description": "Rows that cannot be used, each with its line and field in `error.rows`; "
            "nothing is stored",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
            "description": "Header `country,letter,email,fax,call,post,other` (and optionally `note`); "
            "a blank count is 0",
        }
    },
)
def import_reports(
    number: Number,
    text: Annotated[str, Depends(csv_body)],
    service: ServiceDep,
    session: SessionDep,
    metrics: MetricsDep,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> JSONResponse:
    action = store.get_action(session, number)
    parsed = csv_reports.parse(text)
    if not parsed.ok:
        rows = [{"line": p.line, "field": p.field, "message": str(p)} for p in parsed.problems]
        lines = len({p.line for p in parsed.problems})
        return problem(422, f"{lines} line(s) cannot be used; nothing was stored", field="body", rows=rows)
    now = service.clock.now()
    stored = actions = 0
    late = False
    try:
        for row in parsed.rows:
            key = f"csv:{idempotency_key}:{row.country}" if idempotency_key else None
            report = store.add_report(
                session, action, row.counts, country=row.country, now=now, source="csv", idempotency_key=key
            )
            if report.new:
                stored += 1
                actions += row.counts.total()
                late = report.late
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateError("another request with this Idempotency-Key is being stored: retry") from None
    if stored:
        metrics.reports.labels(source="csv").inc(stored)
    assert action.id is not None
    tally = counters.running(session, action.id)
    body = ImportOut(
        ua=action.ua,
        reports_stored=stored,
        actions_stored=actions,
        total=tally.total,
        late_total=tally.late,
        late=late,
    )
    return JSONResponse(body.model_dump(), status_code=201 if stored or not idempotency_key else 200)


# ---------------------------------------------------------------- tally and timetable


@router.get(
    "/actions/{number}/tally",
    summary="The tally so far (provisional while open): JSON, Markdown, HTML, CSV, PDF or letters",
    response_class=Response,
    responses={
        **_NOT_FOUND,
        200: {
            "description": "The tally in the format asked for",
            "content": {kind.split(";")[0]: {"schema": {"type": "string"}} for kind in MEDIA_TYPES.values()},
        },
    },
)
def get_tally(
    number: Number,
    service: ServiceDep,
    session: SessionDep,
    fmt: Annotated[TallyFormat, Query(alias="format")] = "json",
    language: Annotated[str | None, Query(max_length=8, description="Letter language: en or ru")] = None,
) -> Response:
    action = store.get_action(session, number)
    body = render_bytes(count(session, action, now=service.clock.now()), fmt, language=language)
    headers = {}
    if fmt != "json":
        suffix = "txt" if fmt == "letter" else fmt
        headers["Content-Disposition"] = f'inline; filename="ua-{action.ua}-tally.{suffix}"'
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def timetable_rows(service: Service, session: Session) -> list[dict[str, Any]]:
    """The timetable, each row with the channels (by name) it would go to now."""
    entries = views.timetable(session, service.settings)
    channels = service.channels(session)
    for entry in entries:
        entry["channels"] = [c.name for c in select_channels(channels, entry["tags"])]
    return entries


@router.get(
    "/timetable",
    summary="What will be sent when, to which tags and channels",
    response_model=list[TimetableOut],
)
def get_timetable(service: ServiceDep, session: SessionDep) -> list[dict[str, Any]]:
    return timetable_rows(service, session)


# ---------------------------------------------------------------- channels


@router.get("/channels", summary="Channels, masked", response_model=list[ChannelOut])
def list_channels(service: ServiceDep, session: SessionDep) -> list[dict[str, object]]:
    return [c.describe() for c in service.channels(session)]


@router.post(
    "/channels",
    summary="Add a channel (the URL is stored as given and only ever shown masked)",
    status_code=201,
    response_model=ChannelOut,
    responses={409: {"model": ProblemOut, "description": "A channel of this name exists"}},
)
def add_channel(body: ChannelIn, service: ServiceDep, session: SessionDep) -> dict[str, object]:
    service.redactor.add_url(body.url)  # before anything can log or echo it
    try:
        check_name(body.name)
    except ChannelError as exc:
        raise InvalidInputError("name", str(exc)) from None
    check_url(body.url)
    if session.exec(select(Channel).where(Channel.name == body.name)).first() is not None:
        raise DuplicateError(f"channel {body.name!r} already exists: remove it first")
    session.add(Channel(name=body.name, url=body.url, tags=body.tags, created_at=service.clock.now()))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateError(f"channel {body.name!r} already exists: remove it first") from None
    return _one_channel(service, session, body.name).describe()


@router.delete(
    "/channels/{name}",
    summary="Remove a channel added through the API or the CLI",
    status_code=204,
    response_class=Response,
    responses={404: {"model": ProblemOut, "description": "No such channel in the database"}},
)
def remove_channel(name: ChannelName, session: SessionDep) -> Response:
    row = session.exec(select(Channel).where(Channel.name == name)).first()
    if row is None:
        raise NotFoundError(
            f"no channel {name!r} in the database (channels from the channels_file are edited there)"
        )
    session.delete(row)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/channels/{name}/test",
    summary="Send a test message to one channel",
    response_model=TestSentOut,
    responses={
        404: {"model": ProblemOut, "description": "No such channel"},
        502: {"model": ProblemOut, "description": "The channel did not take the message"},
    },
)
def test_channel(name: ChannelName, service: ServiceDep, session: SessionDep) -> Any:
    channel = _one_channel(service, session, name)
    session.close()  # a slow channel must not hold a database connection
    now = views.iso(service.clock.now())
    outcome = send_one(
        channel,
        Message(
            title="ua-scheduler test message",
            body=f"This channel works. Sent by ua-scheduler at {now}.",
            key=f"test-{name}-{now}",
        ),
    )
    if not outcome.ok:
        return problem(
            502, f"channel {name!r} ({channel.masked}) did not take the test message", field="channel"
        )
    return {"ok": True, "channel": name}


def _one_channel(service: Service, session: Session, name: str) -> ChannelRef:
    found = [c for c in service.channels(session) if c.name == name]
    if not found:
        raise NotFoundError(f"no channel {name!r}: see GET /api/v1/channels")
    return found[0]
