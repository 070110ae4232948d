"""The HTTP door's one error mapping: every refusal is ``{"error": {"status", "message", "field"?}}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
