"""Connections kept open between messages, under apprise's own plugins.

apprise parses each channel URL, builds each payload, masks each URL and speaks every service; it
opens a new connection for every message. For the channels that carry most of the traffic, the
connection is all we change:

- ``json://``, ``xml://``, ``form://`` (and their ``s`` forms) post through one shared keep-alive
  HTTP session, so a fan-out to one webhook reuses its connections. apprise still passes its own
  headers, payload, authentication, ``cto``/``rto`` time-outs and certificate check with each request.
- ``mailto://`` reuses an SMTP connection (connected, secured and logged in once) for the messages of
  one dispatch: connections go back to a pool after each message and are closed when the dispatch
  ends (:func:`close_idle`), or when one has idled longer than :data:`SMTP_IDLE_S`.

Installed once, at import of :mod:`jobs.notify`.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
import time
from types import ModuleType
from typing import Any, Self

import requests
from apprise.plugins import custom_form, custom_json, custom_xml
from apprise.plugins.email import base as email_base
from apprise.plugins.email.smtp import SMTP_EXCEPTIONS, AppriseSMTPController
from requests.adapters import HTTPAdapter

HTTP_POOL_SIZE = 64
"""Kept-alive connections per host: above any ``delivery_concurrency`` in use."""
SMTP_IDLE_S = 30.0
"""An SMTP connection idle longer than this is closed rather than reused (servers drop them)."""


class _SharedSession:
    """Stands in for the ``requests`` module inside apprise's webhook plugins: ``request`` goes
    through one session with a connection pool; everything else is ``requests`` itself."""

    def __init__(self) -> None:
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=HTTP_POOL_SIZE, pool_maxsize=HTTP_POOL_SIZE)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, url, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


_SmtpKey = tuple[str, int, str, str | None, str | None, bool]


class _SmtpPool:
    """Open SMTP connections by server and login, each used by one send at a time."""

    def __init__(self) -> None:
        self._idle: dict[_SmtpKey, list[tuple[float, smtplib.SMTP]]] = {}
        self._lock = threading.Lock()

    def take(self, key: _SmtpKey) -> smtplib.SMTP | None:
        stale = []
        found = None
        with self._lock:
            idle = self._idle.get(key, [])
            while idle and found is None:
                since, connection = idle.pop()
                if time.monotonic() - since > SMTP_IDLE_S:
                    stale.append(connection)
                else:
                    found = connection
        for connection in stale:
            _quit(connection)
        return found

    def give_back(self, key: _SmtpKey, connection: smtplib.SMTP) -> None:
        with self._lock:
            self._idle.setdefault(key, []).append((time.monotonic(), connection))

    def close_all(self) -> int:
        with self._lock:
            idle = [c for entries in self._idle.values() for _, c in entries]
            self._idle.clear()
        for connection in idle:
            _quit(connection)
        return len(idle)


def _quit(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(*SMTP_EXCEPTIONS):
        connection.quit()


SMTP_POOL = _SmtpPool()


class PooledSMTPController(AppriseSMTPController):
    """apprise's SMTP controller, taking its connection from the pool and giving it back."""

    def _key(self) -> _SmtpKey:
        return (
            self.host,
            int(self.port),
            str(self.secure_mode),
            self.user,
            self.password,
            bool(self.verify_certificate),
        )

    _reused = False

    def __enter__(self) -> Self:
        reused = SMTP_POOL.take(self._key())
        if reused is None:
            super().__enter__()
        else:
            self._socket, self._reused = reused, True  # type: ignore[assignment]  # apprise types it None
        return self

    def sendmail(self, from_addr: str, to_addrs: list[str], message: str) -> bool:
        if super().sendmail(from_addr, to_addrs, message):
            return True
        if not self._reused or _alive(self._socket):
            return False  # the server refused it: not a matter of the connection
        # The kept connection had been dropped by the server: once more on a new one.
        self._reused = False
        super().__enter__()
        return bool(super().sendmail(from_addr, to_addrs, message))

    def __exit__(self, exc_type: object, exc_val: object, exc_tb: object) -> None:
        connection = self._socket
        self._socket = None
        if connection is None:
            return
        if exc_type is None and _alive(connection):
            SMTP_POOL.give_back(self._key(), connection)
        else:
            _quit(connection)


def _alive(connection: smtplib.SMTP | None) -> bool:
    return getattr(connection, "sock", None) is not None


SHARED_HTTP = _SharedSession()
_WEBHOOK_PLUGINS: tuple[ModuleType, ...] = (custom_json, custom_form, custom_xml)
_installed = False


def install() -> None:
    """Put the shared session and the SMTP pool under apprise's plugins (once per process)."""
    global _installed  # noqa: PLW0603  (one installation per process, under apprise's modules)
    if _installed:
        return
    for module in _WEBHOOK_PLUGINS:
        setattr(module, "requests", SHARED_HTTP)  # noqa: B010  (replaces the module apprise imported)
    setattr(email_base, "AppriseSMTPController", PooledSMTPController)  # noqa: B010  (not exported)
    _installed = True


def close_idle() -> int:
    """Close the SMTP connections kept since the last call: at the end of each dispatch."""
    return SMTP_POOL.close_all()
