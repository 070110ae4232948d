"""The baseline sender: a bare httpx/asyncio client posting apprise-shaped JSON to the sink."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import httpx


def apprise_payload(title: str, body: str) -> dict[str, str]:
    """What apprise's ``json://`` plugin posts."""
    return {"version": "1.0", "title": title, "message": body, "type": "info"}


async def _post_all(url: str, payloads: Sequence[tuple[str, dict[str, str]]], concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    queue = iter(payloads)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            for key, payload in queue:
                answer = await client.post(url, json=payload, headers={"Idempotency-Key": key})
                answer.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(concurrency)))


def post_all(
    url: str,
    payloads: Sequence[tuple[str, dict[str, str]]],
    *,
    concurrency: int,
    at: float | None = None,
) -> float:
    """POST every ``(key, payload)`` with ``concurrency`` in flight, starting at wall time ``at``;
    the seconds it took."""
    if at is not None:
        time.sleep(max(0.0, at - time.time()))
    began = time.monotonic()
    asyncio.run(_post_all(url, payloads, concurrency))
    return time.monotonic() - began
