"""Real local receivers for notifications: an HTTP webhook sink and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Hook:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float = 0.0
    """Wall-clock time (``time.time()``) when the request had arrived, before any ``delay_s``."""
    peer: tuple[str, int] = ("", 0)
    """The sender's address and port: one per connection, so kept-alive ones show as repeats."""


@dataclass
class WebhookSink:
    """Collects JSON POSTs; ``fail_next`` answers that many requests with 500 first."""

    port: int = 0
    hooks: list[Hook] = field(default_factory=list)
    fail_next: int = 0
    delay_s: float = 0.0  # keeps messages in flight, as a slow receiver would
    on_receive: Callable[[Hook], None] | None = None
    """Called with each message taken, before the answer: a test's way to act at an arrival."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> WebhookSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections open, as real receivers do

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                received_at = time.time()
                if sink.delay_s:
                    time.sleep(sink.delay_s)
                with sink._lock:
                    failing = sink.fail_next > 0
                    if failing:
                        sink.fail_next -= 1
                    else:
                        hook = Hook(
                            self.path,
                            dict(self.headers.items()),
                            json.loads(raw or b"{}"),
                            received_at,
                            (str(self.client_address[0]), int(self.client_address[1])),
                        )
                        sink.hooks.append(hook)
                if not failing and sink.on_receive is not None:
                    sink.on_receive(hook)
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def url(self, path: str = "") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def idempotency_keys(self) -> list[str]:
        with self._lock:
            return [h.headers.get("Idempotency-Key", "") for h in self.hooks]

    def titles(self) -> list[str]:
        with self._lock:
            return [str(h.body.get("title", "")) for h in self.hooks]


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()
        self.peers: list[tuple[str, int]] = []
        self.open: set[tuple[str, int]] = set()
        self.most_open = 0
        self.lock = threading.Lock()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        """A connection counts as in use from its first message until it says QUIT."""
        with self.lock:
            self.open.add((str(session.peer[0]), int(session.peer[1])))
            self.most_open = max(self.most_open, len(self.open))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.open.discard((str(session.peer[0]), int(session.peer[1])))
        return "221 Bye"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self.lock:
            if address in self.refused:
                return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            self.peers.append((str(session.peer[0]), int(session.peer[1])))
        return "250 OK"


class SmtpSink:
    """A real SMTP server on localhost; apprise reaches it with ``mailto://127.0.0.1:PORT``."""

    def __init__(self) -> None:
        self.port = free_port()
        self._box = _Mailbox()
        self._controller = Controller(self._box, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._box.lock:
            return list(self._box.messages)

    def refuse(self, address: str) -> None:
        """Answer ``550 mailbox unavailable`` to mail for ``address``, as a server without it would."""
        with self._box.lock:
            self._box.refused.add(address)

    def welcome(self, address: str) -> None:
        """Take mail for ``address`` again."""
        with self._box.lock:
            self._box.refused.discard(address)

    @property
    def connections(self) -> int:
        """How many SMTP connections delivered the messages so far."""
        with self._box.lock:
            return len(set(self._box.peers))

    @property
    def most_open(self) -> int:
        """The most connections that were sending mail at one time (from MAIL FROM until QUIT)."""
        with self._box.lock:
            return self._box.most_open

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def url(self, to: str = "coordinators@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=ua-scheduler@example.org&to={to}&mode=insecure"


def wait_for(predicate: Callable[[], bool], timeout_s: float = 10.0, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return predicate()
