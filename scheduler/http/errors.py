"""Every refusal is JSON naming the field and the problem; domain errors map to HTTP statuses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from actions.errors import ActionsError, DuplicateError, InvalidInputError, LifecycleError, NotFoundError
from jobs.errors import ChannelError

STATUS = {
    NotFoundError: 404,
    InvalidInputError: 422,
    LifecycleError: 409,
    DuplicateError: 409,
}


def problem(status: int, message: str, *, field: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": {"status": status, "message": message}}
    if field is not None:
        body["error"]["field"] = field
    body["error"].update(extra)
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(ActionsError)
    async def _domain(_request: Request, exc: ActionsError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        field = exc.field if isinstance(exc, InvalidInputError) else None
        message = exc.problem if isinstance(exc, InvalidInputError) else str(exc)
        return problem(status, message, field=field)

    @app.exception_handler(ChannelError)
    async def _channel(_request: Request, exc: ChannelError) -> JSONResponse:
        return problem(422, str(exc), field="url")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        location = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(location) or "body"
        return problem(422, str(first.get("msg", "invalid")).removeprefix("Value error, "), field=field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
