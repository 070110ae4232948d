"""Why a send failed, in a few words: what apprise logged during that send, read back.

apprise says why only in its log (``Socket Exception: [Errno 111] Connection refused``, ``error=500``,
``(550, b'mailbox unavailable')``). A handler on its logger keeps the records made for a send while
it listens (a context variable, which apprise carries into the threads it sends from);
:func:`listening` turns them into one short line such as ``connection refused``, ``HTTP 500`` or
``SMTP 550 mailbox unavailable``. apprise's records below WARNING reach no log output (see
``scheduler.logs``); they are made only to be read here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from jobs.secrets import hide_addresses_in

APPRISE_LOGGER = "apprise"
REASON_MAX_LEN = 200
UNKNOWN = "the channel did not take the message"
LABEL_MAX_LEN = 40
"""apprise's exception lines start with a short label (``Socket Exception: …``)."""

_SMTP = re.compile(r"\((\d{3}), b?['\"]([^'\"]*)['\"]\)")
_HTTP = re.compile(r"(?:\berror=|\bHTTP Error |\bstatus(?: code)?[=: ]+)(\d{3})\b", re.IGNORECASE)
_PHRASES = (
    (re.compile(r"connection refused", re.IGNORECASE), "connection refused"),
    (re.compile(r"timed out|timeout", re.IGNORECASE), "timed out"),
    (
        re.compile(r"name or service not known|name resolution|getaddrinfo|nodename", re.IGNORECASE),
        "host not found",
    ),
    (re.compile(r"certificate verify failed|ssl", re.IGNORECASE), "TLS failed"),
    (re.compile(r"connection reset|remote end closed|broken pipe", re.IGNORECASE), "connection lost"),
)


class Heard:
    """The records one send made; ``reason`` reads them."""

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []

    def reason(self) -> str:
        """The most telling cause found: a status code, a known phrase, else apprise's warning.

        Only warnings and exception lines are read: apprise's other debug lines carry the payload,
        whose words must not pass for a cause.
        """
        texts = [_text(r) for r in self.records if _telling(r)]
        for text in texts:
            if found := _SMTP.search(text):
                return _short(f"SMTP {found.group(1)} {found.group(2)}".strip())
        for text in texts:
            if found := _HTTP.search(text):
                return f"HTTP {found.group(1)}"
        for pattern, phrase in _PHRASES:
            if any(pattern.search(text) for text in texts):
                return phrase
        warnings = [_text(r) for r in self.records if r.levelno >= logging.WARNING]
        return _short(warnings[-1]) if warnings else UNKNOWN


_HEARD: ContextVar[Heard | None] = ContextVar("ua_scheduler_heard", default=None)
"""The send listening in this context; apprise carries the context into its own worker threads."""


class _Listener(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        heard = _HEARD.get()
        if heard is not None:
            heard.records.append(record)


_LISTENER = _Listener()


def install() -> None:
    """Let apprise make its debug records, and listen to them (idempotent)."""
    logger = logging.getLogger(APPRISE_LOGGER)
    logger.setLevel(logging.DEBUG)
    if _LISTENER not in logger.handlers:
        logger.addHandler(_LISTENER)


def quiet_apprise(record: logging.LogRecord) -> bool:
    """A log handler's filter: apprise's chatter below WARNING stays out of the log."""
    return record.levelno >= logging.WARNING or not record.name.startswith(APPRISE_LOGGER)


@contextmanager
def listening() -> Iterator[Heard]:
    """Keep what apprise logs for this send (this context) until the block ends."""
    heard = Heard()
    token = _HEARD.set(heard)
    try:
        yield heard
    finally:
        _HEARD.reset(token)


def _telling(record: logging.LogRecord) -> bool:
    if record.levelno >= logging.WARNING:
        return True
    label, colon, _ = _text(record).partition(":")
    return (
        bool(colon)
        and len(label) <= LABEL_MAX_LEN
        and ("exception" in label.lower() or "error" in label.lower())
    )


def _text(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        return str(record.msg)


def _short(text: str) -> str:
    """One line, no supporter address, not too long (secrets are the caller's to redact)."""
    line = " ".join(hide_addresses_in(text).split())
    return line if len(line) <= REASON_MAX_LEN else line[: REASON_MAX_LEN - 1] + "…"
