"""Connections kept open between messages, under apprise's own plugins.

apprise parses each channel URL, builds each payload, masks each URL and speaks every service; it
opens a new connection for every message. For the channels that carry most of the traffic, the
connection is all we change:

- ``json://``, ``xml://``, ``form://`` (and their ``s`` forms) post through one shared keep-alive
  HTTP session, so a fan-out to one webhook reuses its connections. apprise still passes its own
  headers, payload, authentication, ``cto``/``rto`` time-outs and certificate check with each request.
- ``mailto://`` reuses an SMTP connection (connected, secured and logged in once) for the messages of
  one dispatch: connections go back to a pool after each message and are closed when the dispatch
  ends (:func:`close_idle`), or when one has idled longer than :data:`SMTP_IDLE_S`. At most
  ``mail_connections`` (:func:`limit_smtp`) are in use at once per server and login; a send waits
  for one to come back.

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
SMTP_WAIT_S = 60.0
"""A send waiting longer than this for one of the ``mail_connections`` fails, to be retried later."""


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
    """Open SMTP connections by server and login, each used by one send at a time, and at most
    ``per_server`` of them in use at once for one server and login."""

    def __init__(self, per_server: int) -> None:
        self._idle: dict[_SmtpKey, list[tuple[float, smtplib.SMTP]]] = {}
        self._lock = threading.Lock()
        self._gates: dict[_SmtpKey, threading.BoundedSemaphore] = {}
        self.per_server = per_server

    def gate(self, key: _SmtpKey) -> threading.BoundedSemaphore:
        with self._lock:
            found = self._gates.get(key)
            if found is None:
                found = self._gates[key] = threading.BoundedSemaphore(self.per_server)
            return found

    def limit(self, per_server: int) -> None:
        """Connections in use at once per server from now on (servers in use keep their gate)."""
        with self._lock:
            if per_server != self.per_server:
                self.per_server = per_server
                self._gates.clear()

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


SMTP_POOL = _SmtpPool(per_server=4)


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
    _gate: threading.BoundedSemaphore | None = None

    def __enter__(self) -> Self:
        key = self._key()
        gate = SMTP_POOL.gate(key)
        if not gate.acquire(timeout=SMTP_WAIT_S):
            # apprise takes an OSError as a connection failure: the send fails and is retried
            raise OSError(f"no SMTP connection to {self.host} came free within {SMTP_WAIT_S:g} s")
        try:
            reused = SMTP_POOL.take(key)
            if reused is None:
                super().__enter__()
            else:
                self._socket, self._reused = reused, True  # type: ignore[assignment]  # apprise types it None
        except BaseException:
            gate.release()  # no connection: ``__exit__`` will not run
            raise
        self._gate = gate
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
        connection, gate = self._socket, self._gate
        self._socket = self._gate = None
        try:
            if connection is None:
                return
            if exc_type is None and _alive(connection):
                SMTP_POOL.give_back(self._key(), connection)
            else:
                _quit(connection)
        finally:
            if gate is not None:
                gate.release()


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


def limit_smtp(per_server: int) -> None:
    """``mail_connections``: SMTP connections in use at once per server and login."""
    SMTP_POOL.limit(per_server)


def close_idle() -> int:
    """Close the SMTP connections kept since the last call: at the end of each dispatch."""
    return SMTP_POOL.close_all()
