"""Wiring: settings → engine, channels, redactor and the clock, shared by the daemon and the CLI."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from actions.clock import Clock, SystemClock
from actions.models import ServiceSecret
from config.settings import Settings
from jobs.channels import ChannelRef, from_database, from_file
from jobs.due import Work
from jobs.notify import Outcome
from jobs.secrets import Redactor
from scheduler.db import create_schema, engine_for


@dataclass
class Service:
    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    redactor: Redactor = field(default_factory=Redactor)
    on_sent: Callable[[str, Sequence[Outcome]], None] = lambda _kind, _outcomes: None
    _secret: bytes | None = field(default=None, repr=False)

    def channels(self, session: Session) -> Sequence[ChannelRef]:
        """File channels are read at each use, so edits to the file apply without a restart."""
        refs: list[ChannelRef] = []
        if self.settings.channels_file is not None:
            refs.extend(from_file(self.settings.channels_file))
        refs.extend(from_database(session))
        for ref in refs:
            self.redactor.add_url(ref.url)
        return refs

    def work(self) -> Work:
        return Work(engine=self.engine, settings=self.settings, channels=self.channels, on_sent=self.on_sent)

    def secret(self) -> bytes:
        """The key that signs cookies and salts supporter hashes: from settings, else made once."""
        if self._secret is None:
            if self.settings.secret_key is not None:
                self._secret = self.settings.secret_key.get_secret_value().encode()
            else:
                self._secret = _stored_secret(self.engine).encode()
        return self._secret

    def session(self) -> Session:
        return Session(self.engine)

    def now_iso(self) -> str:
        return self.clock.now().isoformat()


def open_service(
    settings: Settings, *, clock: Clock | None = None, redactor: Redactor | None = None
) -> Service:
    engine = engine_for(settings.database_url)
    create_schema(engine)
    service = Service(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        redactor=redactor or Redactor(),
    )
    with service.session() as session:
        service.channels(session)  # registers every secret with the redactor before any log line
    for secret in (settings.mail_url, settings.secret_key):
        if secret is not None:
            service.redactor.add_url(secret.get_secret_value())
            service.redactor.add([secret.get_secret_value()])
    return service


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
