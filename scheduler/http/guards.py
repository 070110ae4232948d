"""The door's guards: body size and content type, per-client rate limits, CSRF on forms."""

from __future__ import annotations

import secrets
import time

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.http.errors import problem

CSRF_COOKIE = "ua_csrf"
CSRF_FIELD = "csrf_token"


class BodyLimit:
    """Refuse bodies over ``max_bytes`` (413) before the app reads them, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, f"request body over {self.max_bytes} bytes")
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"request body over {self.max_bytes} bytes", field="body")
        await response(scope, receive, send)


class RateLimiter:
    """A moving window per client address and door, kept in the ``limits`` storage at
    ``storage_uri``: ``memory://`` for one process, ``redis://…`` for a budget shared by instances.

    ``namespace`` keeps apart services sharing one storage (instances of one service share it). The
    client address is the TCP peer's: uvicorn replaces it with the forwarded one only for requests
    from ``trusted_proxies``.
    """

    def __init__(self, rate: str, *, storage_uri: str = "memory://", namespace: str = "") -> None:
        self.item: RateLimitItem = parse(rate)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.namespace = namespace

    def check(self, request: Request, door: str) -> None:
        client = request.client.host if request.client else "unknown"
        keys = (self.namespace, door, client)
        if not self.limiter.hit(self.item, *keys):
            reset = self.limiter.get_window_stats(self.item, *keys).reset_time
            raise HTTPException(
                429,
                f"too many requests: at most {self.item} from one address",
                headers={"Retry-After": str(max(1, int(reset - _now())))},
            )


def _now() -> float:
    return time.time()


async def require_json(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, "send the body as application/json")


class Csrf:
    """Double-submit token: a signed random value in a cookie and the same value in the form."""

    def __init__(self, secret: bytes) -> None:
        self.serializer = URLSafeSerializer(secret, salt="csrf")

    def issue(self, request: Request) -> str:
        current = request.cookies.get(CSRF_COOKIE)
        if current and self._valid(current):
            return current
        return str(self.serializer.dumps(secrets.token_urlsafe(16)))

    def check(self, request: Request, submitted: str | None) -> None:
        cookie = request.cookies.get(CSRF_COOKIE)
        if (
            not cookie
            or not submitted
            or not secrets.compare_digest(cookie, submitted)
            or not self._valid(cookie)
        ):
            raise HTTPException(403, "the form expired or did not come from this site: reload the page")

    def _valid(self, token: str) -> bool:
        try:
            self.serializer.loads(token)
        except BadSignature:
            return False
        return True
