"""Wiring: settings → engine, channels, redactor and the clock, shared by the daemon and the CLI."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from actions.clock import Clock, SystemClock
from actions.models import Action, ServiceSecret
from actions.reporting import ReportDoor
from config.settings import Settings
from jobs.channels import ChannelFile, ChannelRef, from_database
from jobs.secrets import Redactor
from scheduler.db import create_schema, engine_for

if TYPE_CHECKING:  # the daemon's parts load when the daemon or a close needs them, not for every command
    from jobs.dispatch import Dispatcher
    from jobs.due import Work
    from jobs.notify import Outcome


@dataclass
class Service:
    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    redactor: Redactor = field(default_factory=Redactor)
    on_sent: Callable[[str, Sequence[Outcome]], None] = lambda _kind, _outcomes: None
    owner: str = ""
    """This instance's name on the outbox rows it claims: ``host:pid:start``; made at first use."""
    _secret: bytes | None = field(default=None, repr=False)
    door: ReportDoor = field(init=False, repr=False)
    """Where reports come in: the actions as last read (each insert re-checks), one writer at a time."""

    _channel_file: ChannelFile | None = field(default=None, repr=False)
    _dispatcher: Dispatcher | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.door = ReportDoor(self.engine)
        if not self.owner:
            self.owner = instance_owner(self.clock.now())
        if self.settings.channels_file is not None:
            self._channel_file = ChannelFile(self.settings.channels_file)

    def channels(self, session: Session) -> Sequence[ChannelRef]:
        """The channels file is read again when it changes, so edits apply without a restart."""
        refs: list[ChannelRef] = []
        if self._channel_file is not None:
            refs.extend(self._channel_file.read())
        refs.extend(from_database(session))
        for ref in refs:
            self.redactor.add_url(ref.url)
        return refs

    def reload_channels(self) -> None:
        """Read the channels file at its next use even if it looks unchanged (``SIGHUP``)."""
        if self._channel_file is not None:
            self._channel_file.forget()

    @property
    def dispatcher(self) -> Dispatcher:
        """The instance's one dispatcher: its workers and channel health outlive each pass."""
        if self._dispatcher is None:
            from jobs.dispatch import Dispatcher  # noqa: PLC0415

            self._dispatcher = Dispatcher(
                engine=self.engine,
                settings=self.settings,
                owner=self.owner,
                channels=self.channels,
                on_sent=self._sent,
                redactor=self.redactor,
                clock=self.clock,
            )
        return self._dispatcher

    def _sent(self, kind: str, outcomes: Sequence[Outcome]) -> None:
        self.on_sent(kind, outcomes)  # looked up at each send: the daemon sets it after the start

    def work(self) -> Work:
        from jobs.due import Work  # noqa: PLC0415

        return Work(
            engine=self.engine, settings=self.settings, channels=self.channels, dispatcher=self.dispatcher
        )

    def close(self) -> None:
        """Let the dispatcher's sends end and stop its workers."""
        if self._dispatcher is not None:
            self._dispatcher.close()

    def secret(self) -> bytes:
        """The key that signs cookies and salts supporter hashes: from settings, else made once."""
        if self._secret is None:
            if self.settings.secret_key is not None:
                self._secret = self.settings.secret_key.get_secret_value().encode()
            else:
                self._secret = _stored_secret(self.engine).encode()
        return self._secret

    def refresh_prepared_with_report(self, connection: Connection, action_id: int) -> int:
        """:meth:`refresh_prepared` on the report door's connection, inside the report's transaction:
        one query when the action has no reminder prepared (nearly always)."""
        from jobs import prepared  # noqa: PLC0415  (it renders: apprise, Jinja)

        now = self.clock.now()
        if not prepared.has_prepared(connection, action_id, now):
            return 0
        with Session(bind=connection) as session:
            action = session.get(Action, action_id)
            if action is None:
                return 0
            changed = prepared.refresh(session, self.settings, action, now, self.channels)
            session.flush()
        return changed

    def refresh_prepared(self, session: Session, action: Action | None = None) -> int:
        """Reminders prepared ahead follow a change (a report, a confirmed supporter, a new channel)
        in the caller's transaction: those of ``action``, else of every action."""
        from jobs import prepared  # noqa: PLC0415

        now = self.clock.now()
        if action is None:
            return prepared.refresh_all(session, self.settings, now, self.channels)
        return prepared.refresh(session, self.settings, action, now, self.channels)

    def session(self) -> Session:
        return Session(self.engine)

    def now_iso(self) -> str:
        return self.clock.now().isoformat()


def open_service(
    settings: Settings, *, clock: Clock | None = None, redactor: Redactor | None = None
) -> Service:
    engine = engine_for(settings.database_url)
    service = Service(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        redactor=redactor or Redactor(),
    )
    try:
        create_schema(engine)
        with service.session() as session:
            service.channels(session)  # registers every secret with the redactor before any log line
    except BaseException:
        engine.dispose()  # a refused channels file leaves no connection to the garbage collector
        raise
    if settings.mail_url is not None:
        service.redactor.add_url(settings.mail_url.get_secret_value())
    for secret in (settings.mail_url, settings.secret_key):  # whole, as well as their parts
        if secret is not None:
            service.redactor.add([secret.get_secret_value()])
    return service


OWNER_MAX_LEN = 64
"""The width of ``Delivery.claimed_by``."""


def instance_owner(started: datetime) -> str:
    """``host:pid:start``: tells apart instances on several hosts, and restarts on one."""
    tail = f":{os.getpid()}:{started:%Y%m%dT%H%M%SZ}"
    return socket.gethostname()[: OWNER_MAX_LEN - len(tail)] + tail


SECRET_NAME = "secret_key"  # noqa: S105  (the row's name, not a secret)


def _stored_secret(engine: Engine) -> str:
    with Session(engine) as session:
        row = session.get(ServiceSecret, SECRET_NAME)
        if row is not None:
            return row.value
        session.add(ServiceSecret(name=SECRET_NAME, value=secrets.token_hex(32)))
        try:
            session.commit()
        except IntegrityError:  # another instance made it first: use theirs
            session.rollback()
        row = session.get(ServiceSecret, SECRET_NAME)
        assert row is not None
        return row.value
