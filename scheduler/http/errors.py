"""The HTTP door's one error mapping: every refusal is ``{"error": {"status", "message", "field"?}}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from config.errors import Conflict, Invalid, NotDelivered, NotFound, Refused, UaSchedulerError, Unavailable
from config.validation import field_of, problem_of

STATUS: dict[type[UaSchedulerError], int] = {
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    Refused: 403,
    NotDelivered: 502,
    Unavailable: 503,
    UaSchedulerError: 400,
}
"""HTTP status by kind of error; the most specific class listed wins."""


DESCRIPTIONS: dict[int, str] = {
    400: "The body cannot be read (not JSON, or cut short)",
    401: "No staff token, or one revoked",
    403: "Refused: a cookie session without a valid X-CSRF-Token, or not allowed here",
    404: "No such action (or channel)",
    405: "Method not allowed: the `Allow` header lists those that are",
    409: "The thing's state forbids this, or it exists already",
    413: "The body is larger than this door takes",
    415: "The body is not of the media type this door takes",
    422: "A value that cannot be used; `field` names it",
    429: "Too many requests: `Retry-After` says when to come back",
    502: "A channel did not take the message",
    503: "A part the service depends on does not answer",
}
"""What each status means on this API, for the OpenAPI schema."""


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


def documented(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for refusals with these statuses (``described`` overrides a description
    by ``s404=...``)."""
    return {
        status: {"model": ProblemOut, "description": described.get(f"s{status}", DESCRIPTIONS[status])}
        for status in statuses
    }


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path (routes are one per method)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def status_of(exc: UaSchedulerError) -> int:
    return next(STATUS[kind] for kind in type(exc).__mro__ if kind in STATUS)


def problem(status: int, message: str, *, field: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": {"status": status, "message": message}}
    if field is not None:
        body["error"]["field"] = field
    body["error"].update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status)


def as_problem(exc: UaSchedulerError) -> JSONResponse:
    """The JSON error for ``exc``: an ``Invalid`` names its field (and, for a file, each bad row)."""
    if isinstance(exc, Invalid):
        return problem(status_of(exc), exc.problem, field=exc.field, rows=exc.rows)
    return problem(status_of(exc), str(exc))


def install(app: FastAPI) -> None:
    @app.exception_handler(UaSchedulerError)
    async def _ours(_request: Request, exc: UaSchedulerError) -> JSONResponse:
        return as_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        return problem(422, problem_of(first), field=field_of(first))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response
