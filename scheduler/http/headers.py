"""Security headers on every answer: a strict Content-Security-Policy, no framing, no sniffing.

The pages' only scripts and styles are inline blocks written in the templates (the countdown, the
dashboard's test-send); the policy allows exactly those by their SHA-256 hash, computed from the
templates when the app starts, so nothing else — an injected ``<script>`` included — may run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE = {
    "script": re.compile(r"<script>(.*?)</script>", re.DOTALL),
    "style": re.compile(r"<style>(.*?)</style>", re.DOTALL),
}
_TEMPLATED = re.compile(r"{{|{%|{#")

FIXED = {
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    b"x-content-type-options": b"nosniff",
}

DOCS_POLICY = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net; img-src https://fastapi.tiangolo.com data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""FastAPI's Swagger page (``/docs``) loads its script and style from a CDN: it gets a policy of its own."""


def _source(block: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"


def inline_hashes(folders: Iterable[Path], tag: str) -> list[str]:
    """``'sha256-…'`` of every static inline block of ``tag`` in the templates under ``folders``."""
    found: set[str] = set()
    for folder in folders:
        for template in sorted(folder.glob("*.*")):
            for block in _INLINE[tag].findall(template.read_text(encoding="utf-8")):
                if _TEMPLATED.search(block) is None:
                    found.add(_source(block))
    return sorted(found)


def page_policy(folders: Iterable[Path], *, styles_made: Iterable[str] = ()) -> str:
    """The policy of every page: nothing but this service's own forms, fetches and inline blocks
    (those of the templates, and ``styles_made`` by code, such as the tally's chart)."""
    folders = list(folders)
    scripts = " ".join(inline_hashes(folders, "script")) or "'none'"
    style_sources = sorted({*inline_hashes(folders, "style"), *map(_source, styles_made)})
    styles = " ".join(style_sources) or "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src {styles}; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


class SecurityHeaders:
    """Adds the headers to every HTTP answer that does not set its own."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY.encode() if scope["path"] == "/docs" else self.policy

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = {**FIXED, b"content-security-policy": policy}
                headers.extend((name, value) for name, value in wanted.items() if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
