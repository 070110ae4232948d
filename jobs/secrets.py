"""Keep channel secrets out of everything people see: masked URLs and a log redactor.

Apprise's privacy form hides passwords and known tokens but prints custom headers (``+X-Token=``),
payload fields (``:key=``), dropped keys (``-key=``) and other query values as they are. The masked
form here hides those too, and whatever the privacy form still shows of a secret-looking path.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from jobs.published import PUBLISHED

MASK = "****"
_SECRET_KEY_NAME = re.compile(
    r"(token|key|secret|pass|pwd|auth|sig|code|apikey|webhook|sid|session|cookie|bearer|hook)",
    re.IGNORECASE,
)
_SAFE_KEYS = frozenset(
    {
        "method",
        "overflow",
        "retry",
        "wait",
        "optional",
        "format",
        "cto",
        "rto",
        "verify",
        "mode",
        "from",
        "to",
        "name",
        "image",
        "priority",
        "tag",
        "lang",
        "emojis",
        "store",
        "discovery",
    }
)
_TOKEN_LIKE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-]{16,}$|^[0-9a-fA-F]{16,}$")
_SPLIT = re.compile(r"[/:@?&=#,\s]+")
MIN_SECRET_LEN = 3
_EMAIL = re.compile(r"([A-Za-z0-9._%+'-]+)@(?=([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+))")
_PLAIN_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "get", "post", "put"})


def load_apprise() -> Any:
    """apprise with our ``log://`` plugin, loaded at the first URL to read: commands that meet none
    start without it."""
    import apprise  # noqa: PLC0415

    import jobs.notify  # noqa: F401, PLC0415  (registers log://)

    return apprise


APPRISE_LOGGER = logging.getLogger("apprise")
_held = threading.local()


class _HoldWhileReading(logging.Filter):
    """Apprise logs an URL it cannot read in clear, before anyone knows which parts are secret.

    While this thread is only reading an URL (``apprise_held``), apprise's lines are kept back for
    the caller to mask and use, instead of reaching any handler.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        lines: list[str] | None = getattr(_held, "lines", None)
        if lines is None:
            return True
        if record.levelno >= logging.WARNING:  # what went wrong; not its progress notes
            lines.append(record.getMessage())
        return False


APPRISE_LOGGER.addFilter(_HoldWhileReading())


@contextmanager
def apprise_held() -> Iterator[list[str]]:
    """Apprise's log lines made in this block, in this thread, kept back: they may hold secrets."""
    previous = getattr(_held, "lines", None)
    lines: list[str] = []
    _held.lines = lines
    try:
        yield lines
    finally:
        _held.lines = previous


def hide(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` replaced by the mask, longest first."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


_ANY_URL = re.compile(r"\b(?!file://)[A-Za-z][A-Za-z0-9+.-]*://\S+")


def hide_urls(text: str) -> str:
    """Every URL in ``text`` down to its scheme: for lines about URLs whose secrets are unknown."""
    return _ANY_URL.sub(lambda found: _fallback_mask(found.group()), text)


def _mask_query(query: str) -> str:
    pairs = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        hidden = (
            key[:1] in "+-:"
            or (key.lower() not in _SAFE_KEYS and _SECRET_KEY_NAME.search(key) is not None)
            or _TOKEN_LIKE.match(value) is not None
        )
        pairs.append((key, MASK if hidden and value else value))
    return urlencode(pairs, safe="@*:")


def _mask_path(path: str) -> str:
    return "/".join(
        f"{seg[0]}...{seg[-1]}" if _TOKEN_LIKE.match(unquote(seg)) else seg for seg in path.split("/")
    )


def mask_url(url: str) -> str:
    """The form of ``url`` fit to show: apprise's privacy form with every remaining secret hidden."""
    with apprise_held():
        plugin = load_apprise().Apprise.instantiate(url)
        if plugin is None:
            return _fallback_mask(url)
        try:
            parts = urlsplit(str(plugin.url(privacy=True)))
        except ValueError:
            return _fallback_mask(url)
    return urlunsplit((parts.scheme, parts.netloc, _mask_path(parts.path), _mask_query(parts.query), ""))


def hide_addresses_in(text: str) -> str:
    """Supporters' email addresses are personal data: only their domain is shown.

    While a message is being sent, the officials' published addresses it names stay as they are,
    so ``log://`` shows the message as sent.
    """
    published = PUBLISHED.get()
    if not published:
        return _EMAIL.sub("***@", text)

    def hide(match: re.Match[str]) -> str:
        return match[0] if f"{match[1]}@{match[2]}".lower() in published else "***@"

    return _EMAIL.sub(hide, text)


def _fallback_mask(url: str) -> str:
    """An URL apprise cannot read: keep only the scheme (its host may be a token, as in tgram://)."""
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://{MASK}" if sep and scheme.isalnum() else MASK


def _pieces(url: str) -> set[str]:
    """Every value an URL carries: user info, host, path segments and query values."""
    try:
        parts = urlsplit(url)
        found = set(_SPLIT.split(unquote(parts.netloc)))  # user, password, host, port (or token)
        found |= {unquote(seg) for seg in parts.path.split("/")}
        found |= {value for _, value in parse_qsl(parts.query, keep_blank_values=True)}
    except ValueError:  # not even an URL: every piece of it may be secret
        return set(_SPLIT.split(unquote(url)))
    return {piece for piece in found if piece}


def secrets_in(url: str) -> set[str]:
    """The values in ``url`` that its masked form does not show: these must never be logged."""
    shown = set(_SPLIT.split(unquote(mask_url(url))))
    found = {piece for piece in _pieces(url) if piece not in shown}
    password = _password(url)
    if password:
        found.add(password)
    found.discard(url.partition("://")[0])
    return {s for s in found if len(s) >= MIN_SECRET_LEN and s.lower() not in _PLAIN_WORDS}


def _password(url: str) -> str | None:
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


class Redactor:
    """Replaces every known secret in log events; a structlog processor and a stdlib-safe helper.

    The secrets of a URL are found by apprise (:func:`secrets_in`) at the first redaction after the
    URL was added, not when it is added: a command that logs and shows nothing never loads apprise.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None
        self._unread: list[str] = []

    def add_url(self, url: str) -> None:
        with self._lock:
            self._unread.append(url)

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._merge(secrets)

    def _merge(self, secrets: Iterable[str]) -> None:
        merged = set(self._secrets) | {s for s in secrets if len(s) >= MIN_SECRET_LEN}
        # Longest first, so a secret that contains another is hidden whole.
        self._secrets = tuple(sorted(merged, key=len, reverse=True))
        self._pattern = re.compile("|".join(re.escape(s) for s in self._secrets)) if self._secrets else None

    def _ready(self) -> re.Pattern[str] | None:
        """The pattern of every secret, the URLs added since the last redaction read first.

        apprise's own log lines are held back while it reads (``apprise_held``), so reading here
        never logs through this redactor.
        """
        if self._unread:
            with self._lock:
                while self._unread:
                    self._merge(secrets_in(self._unread[0]))
                    self._unread.pop(0)
        return self._pattern

    def redact(self, text: str) -> str:
        pattern = self._ready()
        return pattern.sub(MASK, text) if pattern is not None else text

    def redact_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self.redact_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.redact_value(v) for v in value)
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        """As a ``logging`` filter: a record's message is redacted before any handler sees it."""
        if self._ready() is not None:
            record.msg = self.redact(record.getMessage())
            record.args = None
        return True

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        if self._ready() is None:
            return event_dict
        for key, value in list(event_dict.items()):
            event_dict[key] = self.redact_value(value)
        return event_dict
