"""Officials' published addresses that the log may show as they are while their message is sent."""

from __future__ import annotations

from contextvars import ContextVar

PUBLISHED: ContextVar[frozenset[str]] = ContextVar("published_addresses", default=frozenset())
"""Set by the sender for the duration of one send; read by the log's address hiding."""
