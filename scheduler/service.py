"""Wiring: settings → engine, channels, redactor and the clock, shared by the daemon and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session

from actions.clock import Clock, SystemClock
from config.settings import Settings
from jobs.channels import ChannelRef, from_database, from_file
from jobs.due import Work
from jobs.secrets import Redactor
from scheduler.db import create_schema, engine_for


@dataclass
class Service:
    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    redactor: Redactor = field(default_factory=Redactor)

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
        return Work(engine=self.engine, settings=self.settings, channels=self.channels)

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
    return service
