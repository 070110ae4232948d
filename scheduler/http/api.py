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
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator

from actions.models import ActionStatus
from actions.specs import UA_PATTERN, ActionSpec
from config.errors import Invalid, NotDelivered
from config.names import NAME_MAX_LEN, NAME_PATTERN, tag_set
from jobs.formats import MEDIA_TYPES, TallyFormat
from scheduler.app import actions as actions_app
from scheduler.app import channels as channels_app
from scheduler.app import reports as reports_app
from scheduler.app import review as review_app
from scheduler.app import tallies
from scheduler.app.timetable import timetable
from scheduler.http.auth import require_staff
from scheduler.http.deps import MetricsDep, ServiceDep, SessionDep
from scheduler.http.errors import ProblemOut, documented
from scheduler.http.reports import UA_PATH

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="staffToken",
    description="A staff token from `ua-scheduler tokens create NAME`.",
)


_STAFF_ERRORS = documented(400, 401, 403, 415, 422)
_NOT_FOUND = documented(404)
_CONFLICT = documented(409)

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
    salutations: dict[str, str] = Field(description='The salutation by language code, such as {"ru": "…"}')
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
    title_i18n: dict[str, str] = Field(description='The title by language code, such as {"ru": "…"}')
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
    at: str | None = Field(description="UTC")
    local: str = Field(
        description="The same time in the channel's zone (moved reminders, digests) or the action's",
        examples=["2026-05-08 21:59 (Europe/Berlin)"],
    )
    moved_from: str | None = Field(
        default=None, description="A reminder moved before a channel's quiet hours: its due time (UTC)"
    )
    ua: str | None = Field(description="None for a channel's digest")
    what: str
    tags: list[str]
    channels: list[str] = Field(description="Channels (by name) the message would go to now")


class ChannelOut(BaseModel):
    name: str
    url: str = Field(description="Masked: passwords, tokens and secret values are hidden")
    tags: list[str]
    source: str = Field(description="`database`, or the channels_file it comes from")
    digest: str | None = Field(
        description="`daily@HH:MM` or `weekly@mon HH:MM`: a round-up instead of each reminder"
    )
    quiet_hours: str | None = Field(
        description="`HH:MM-HH:MM`: reminders inside go out just before it starts"
    )
    language: str | None = Field(
        description="The messages' language (en, de, fr, es, ru; others get English)"
    )
    timezone: str | None = Field(
        description="The zone of `digest` and `quiet_hours`; null: the `timezone` setting"
    )


class TestSentOut(BaseModel):
    ok: bool = Field(description="Whether the channel took the test message")
    channel: str
    error: str | None = Field(
        default=None, description="Why not, naming the channel by its masked URL (when `ok` is false)"
    )


class ImportOut(BaseModel):
    ua: str
    reports_stored: int = Field(description="Rows stored now (rows already stored under the key: not)")
    actions_stored: int = Field(description="Actions in the rows stored now")
    total: int = Field(description="The action's tally total after the import (on time)")
    late_total: int
    late: bool = Field(description="Whether the rows came after the deadline (counted apart)")


# ---------------------------------------------------------------- request shapes


# What the schema shows (and fuzzers aim at); the validators themselves give friendlier messages.
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
    properties["tags"]["items"]["pattern"] = NAME_PATTERN
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

    @field_validator("ua", "timezone", "title", mode="before")
    @classmethod
    def _as_sent(cls, value: object, info: ValidationInfo) -> object:
        """The schema's maxLength holds for the value as sent, before spaces are trimmed."""
        most = RAW_MAX_LEN[info.field_name or ""]
        if isinstance(value, str) and len(value) > most:
            raise ValueError(f"at most {most} characters")
        return value


RAW_MAX_LEN = {"ua": 32, "timezone": 64, "title": 500}


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deadline: Annotated[str, WithJsonSchema(DEADLINE_SCHEMA)] = Field(min_length=1, max_length=64)


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=NAME_MAX_LEN,
        json_schema_extra={"pattern": NAME_PATTERN},
        examples=["coordinators"],
    )
    url: str = Field(
        min_length=1,
        max_length=2_000,
        json_schema_extra={"pattern": r"^[A-Za-z][A-Za-z0-9+.-]*://"},
        description="An apprise URL",
        examples=["json://hooks.example.org/ua"],
    )
    tags: list[Annotated[str, Field(json_schema_extra={"pattern": NAME_PATTERN})]] = Field(
        default_factory=list, max_length=32, examples=[["coordinators"]]
    )
    digest: str | None = Field(default=None, max_length=32, examples=["daily@09:00", "weekly@mon 09:00"])
    quiet_hours: str | None = Field(default=None, max_length=16, examples=["22:00-08:00"])
    language: str | None = Field(default=None, max_length=16, examples=["de"])
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/Berlin"])

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return tag_set(value)


# ---------------------------------------------------------------- actions


@router.get("/actions", summary="List actions", response_model=list[ActionSummaryOut])
def list_actions(
    session: SessionDep,
    status: Annotated[Literal["open", "closed", "cancelled", "all"], Query()] = "open",
) -> list[dict[str, Any]]:
    return actions_app.listed(session, status)


@router.post(
    "/actions",
    summary="Create an action",
    status_code=201,
    response_model=ActionDetailOut,
    responses=documented(409, s409="The UA exists already"),
)
def create_action(spec: ActionIn, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    action = actions_app.create(session, spec, clock=service.clock, settings=service.settings)
    return actions_app.detail(session, action.ua)


@router.get(
    "/actions/{number}", summary="One action in full", response_model=ActionDetailOut, responses=_NOT_FOUND
)
def get_action(number: Number, session: SessionDep) -> dict[str, Any]:
    return actions_app.detail(session, number)


@router.post(
    "/actions/{number}/extend",
    summary="Move the deadline later; only reminders not sent yet are re-armed",
    response_model=ActionDetailOut,
    responses={**_NOT_FOUND, **_CONFLICT},
)
def extend_action(number: Number, body: ExtendIn, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    action = actions_app.extend(
        session, number, body.deadline, clock=service.clock, settings=service.settings, source="api"
    )
    return actions_app.detail(session, action.ua)


@router.post(
    "/actions/{number}/close",
    summary="Close now and store the final tally (the service delivers it)",
    response_model=ActionDetailOut,
    responses={**_NOT_FOUND, **_CONFLICT},
)
def close_action(number: Number, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    action = actions_app.close(
        session, number, clock=service.clock, settings=service.settings, channels=service.channels
    )
    return actions_app.detail(session, action.ua)


@router.post(
    "/actions/{number}/cancel",
    summary="Cancel: no more reminders and no final tally",
    response_model=ActionDetailOut,
    responses={**_NOT_FOUND, **_CONFLICT},
)
def cancel_action(number: Number, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    action = actions_app.cancel(session, number, clock=service.clock)
    return actions_app.detail(session, action.ua)


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
        raise Invalid("body", f"not UTF-8 text (byte {exc.start})") from None


CSV_EXAMPLE = "country,letter,email,fax,call,post,other,note\nNL,120,45,0,3,10,0,weeks 1-2\nBE,30,12,,,,,\n"


@router.post(
    "/actions/{number}/reports/import",
    summary="Import sections' totals: one CSV row per country, all stored or none",
    status_code=201,
    response_model=ImportOut,
    responses={
        **_NOT_FOUND,
        200: {"model": ImportOut, "description": "Every row was stored before under this Idempotency-Key"},
        **documented(409, 415, s409="Another request with this Idempotency-Key is being stored"),
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
    done = reports_app.import_csv(
        session,
        number,
        text,
        clock=service.clock,
        idempotency_key=idempotency_key,
        then=service.refresh_prepared,
    )
    if done.reports_stored:
        metrics.reports.labels(source="csv").inc(done.reports_stored)
    body = ImportOut(
        ua=done.ua,
        reports_stored=done.reports_stored,
        actions_stored=done.actions_stored,
        total=done.total,
        late_total=done.late_total,
        late=done.late,
    )
    return JSONResponse(
        body.model_dump(), status_code=201 if done.reports_stored or not idempotency_key else 200
    )


# ---------------------------------------------------------------- tally and timetable


@router.get(
    "/actions/{number}/tally",
    summary="The tally (once closed, the archived final one; provisional while open): JSON, Markdown, "
    "HTML, CSV, PDF or letters",
    response_class=Response,
    responses={
        **_NOT_FOUND,
        200: {
            "description": "The tally in the format asked for",
            "content": {
                kind.split(";")[0]: {"schema": {"type": "object" if fmt == "json" else "string"}}
                for fmt, kind in MEDIA_TYPES.items()
            },
        },
    },
)
def get_tally(
    number: Number,
    service: ServiceDep,
    session: SessionDep,
    fmt: Annotated[TallyFormat, Query(alias="format")] = "json",
    language: Annotated[str | None, Query(max_length=8, description="Letter language: en or ru")] = None,
    revision: Annotated[
        int | None, Query(ge=1, le=100_000, description="An archived final tally (1: the first close)")
    ] = None,
) -> Response:
    rendered = tallies.tally(
        session, number, clock=service.clock, fmt=fmt, language=language, revision=revision
    )
    headers = {}
    if fmt != "json":
        headers["Content-Disposition"] = f'inline; filename="{rendered.filename}"'
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


@router.get(
    "/timetable",
    summary="What will be sent when, to which tags and channels",
    response_model=list[TimetableOut],
)
def get_timetable(service: ServiceDep, session: SessionDep) -> list[dict[str, Any]]:
    return timetable(session, settings=service.settings, channels=service.channels, now=service.clock.now())


# ---------------------------------------------------------------- reports held for review


class HeldReportOut(BaseModel):
    id: int
    ua: str
    received_at: str | None
    source: str = Field(description="`api` (JSON door) or `web` (the form)")
    country: str | None
    late: bool = Field(description="Received after the close (an approval then goes to the addendum)")
    counts: dict[str, int]
    total: int
    review: Literal["approved", "rejected"] | None
    reviewed_at: str | None
    why: str | None = Field(description="Why it was rejected")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    why: str = Field(min_length=1, max_length=500, examples=["implausible: 5,000 faxes from one address"])


ReportId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The report's id (`reports held`)")]
_REVIEW_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ProblemOut, "description": "No such report"},
    409: {"model": ProblemOut, "description": "The report is not held for review (any more)"},
}


@router.get(
    "/reports/held",
    summary="Reports held for review (more of a kind than `report_review_above`), oldest first",
    response_model=list[HeldReportOut],
)
def list_held(session: SessionDep) -> list[dict[str, Any]]:
    return review_app.held(session)


@router.post(
    "/reports/{report_id}/approve",
    summary="Count a held report (after the close: in the addendum, as late)",
    response_model=HeldReportOut,
    responses=_REVIEW_ERRORS,
)
def approve_report(report_id: ReportId, service: ServiceDep, session: SessionDep) -> dict[str, Any]:
    return review_app.approve(session, report_id, now=service.clock.now(), by="api")


@router.post(
    "/reports/{report_id}/reject",
    summary="Never count a held report; it is kept with the reason",
    response_model=HeldReportOut,
    responses=_REVIEW_ERRORS,
)
def reject_report(
    report_id: ReportId, body: RejectIn, service: ServiceDep, session: SessionDep
) -> dict[str, Any]:
    return review_app.reject(session, report_id, now=service.clock.now(), why=body.why, by="api")


# ---------------------------------------------------------------- channels


@router.get("/channels", summary="Channels, masked", response_model=list[ChannelOut])
def list_channels(service: ServiceDep, session: SessionDep) -> list[dict[str, object]]:
    return [c.describe() for c in channels_app.listed(session, service.channels)]


@router.post(
    "/channels",
    summary="Add a channel (the URL is stored as given and only ever shown masked)",
    status_code=201,
    response_model=ChannelOut,
    responses=documented(409, s409="A channel of this name exists"),
)
def add_channel(body: ChannelIn, service: ServiceDep, session: SessionDep) -> dict[str, object]:
    ref = channels_app.add(
        session,
        body.name,
        body.url,
        body.tags,
        clock=service.clock,
        redactor=service.redactor,
        then=service.refresh_prepared,
        digest=body.digest,
        quiet_hours=body.quiet_hours,
        language=body.language,
        timezone=body.timezone,
    )
    return ref.describe()


@router.delete(
    "/channels/{name}",
    summary="Remove a channel added through the API or the CLI",
    status_code=204,
    response_class=Response,
    responses=documented(404, s404="No such channel in the database"),
)
def remove_channel(name: ChannelName, session: SessionDep) -> Response:
    channels_app.remove(session, name)
    return Response(status_code=204)


@router.post(
    "/channels/{name}/test",
    summary="Send a test message to one channel; the answer says whether the channel took it",
    response_model=TestSentOut,
    response_model_exclude_none=True,
    responses=documented(404, s404="No such channel"),
)
def test_channel(name: ChannelName, service: ServiceDep, session: SessionDep) -> dict[str, object]:
    try:
        channels_app.test(session, name, clock=service.clock, channels=service.channels)
    except NotDelivered as exc:  # the test's outcome, not the API's failure
        return {"ok": False, "channel": name, "error": str(exc)}
    return {"ok": True, "channel": name}
