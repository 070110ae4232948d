"""Uses on notification channels: list, add, remove, test-send. URLs go in; only masked forms come out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from actions import views
from actions.clock import Clock
from actions.models import Channel
from config.errors import Conflict, NotDelivered, NotFound
from config.names import tag_set
from jobs.channels import (
    ChannelRef,
    ChannelSource,
    channel_options,
    check_name,
    check_url,
    from_database,
    new_channel,
)
from jobs.notify import Message, send_one
from jobs.secrets import Redactor


def listed(session: Session, channels: ChannelSource) -> Sequence[ChannelRef]:
    """The channels in force: the channels file's and the database's."""
    return channels(session)


def add(
    session: Session,
    name: str,
    url: str,
    tags: Iterable[str],
    *,
    clock: Clock,
    redactor: Redactor,
    then: Callable[[Session], object] | None = None,
    digest: str | None = None,
    quiet_hours: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
) -> ChannelRef:
    """Store a channel; ``Invalid`` for a bad name, tag, URL or option (the field named),
    ``Conflict`` if the name is taken. ``then`` runs in the same transaction (reminders prepared
    ahead reach the new channel)."""
    redactor.add_url(url)  # before anything can log or echo it
    check_name(name)
    check_url(url)
    options = channel_options(digest=digest, quiet_hours=quiet_hours, language=language, timezone=timezone)
    wanted = tag_set(list(tags)) if tags else []
    taken = f"channel {name!r} already exists: remove it first"
    if session.exec(select(Channel).where(col(Channel.name) == name)).first() is not None:
        raise Conflict(taken)
    session.add(new_channel(name, url, wanted, options, now=clock.now()))
    try:
        if then is not None:
            session.flush()
            then(session)
        session.commit()
    except IntegrityError:  # the same name raced in from another request
        session.rollback()
        raise Conflict(taken) from None
    return next(ref for ref in from_database(session) if ref.name == name)


def remove(session: Session, name: str) -> None:
    """Remove a channel stored in the database (those of the channels file are edited there)."""
    row = session.exec(select(Channel).where(col(Channel.name) == name)).first()
    if row is None:
        raise NotFound(
            f"no channel {name!r} in the database (channels from the channels_file are edited there)"
        )
    session.delete(row)
    session.commit()


def find(session: Session, name: str, channels: ChannelSource) -> ChannelRef:
    """The channel in force named ``name``."""
    for ref in channels(session):
        if ref.name == name:
            return ref
    raise NotFound(f"no channel {name!r}: see `ua-scheduler channels list` or GET /api/v1/channels")


def test(session: Session, name: str, *, clock: Clock, channels: ChannelSource) -> ChannelRef:
    """Send a test message to one channel; ``NotDelivered`` if it does not take it."""
    channel = find(session, name, channels)
    session.close()  # a slow channel must not hold a database connection
    now = views.iso(clock.now())
    outcome = send_one(
        channel,
        Message(
            title="ua-scheduler test message",
            body=f"This channel works. Sent by ua-scheduler at {now}.",
            key=f"test-{name}-{now}",
        ),
    )
    if not outcome.ok:
        raise NotDelivered(f"channel {name!r} ({channel.masked}) did not take the test message")
    return channel
