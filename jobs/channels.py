"""Notification channels: apprise URLs with tags, from the apprise config file and the database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import structlog
from sqlmodel import Session, col, select

from actions.models import Channel
from config.names import name_problem
from jobs.errors import ChannelError
from jobs.secrets import apprise_held, hide, hide_urls, load_apprise, mask_url, secrets_in

log = structlog.get_logger("ua_scheduler.channels")


@dataclass(frozen=True)
class ChannelRef:
    """A channel ready to use. ``url`` is secret: show ``masked`` instead."""

    name: str
    url: str = field(repr=False)
    tags: frozenset[str]
    source: str
    masked: str

    def matches(self, tags: Iterable[str]) -> bool:
        return not self.tags.isdisjoint(tags)

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "url": self.masked,
            "tags": sorted(self.tags),
            "source": self.source,
        }


ChannelSource = Callable[[Session], Sequence[ChannelRef]]
"""Where the channels in force are read (the channels file and the database), at each use."""


def check_url(url: str) -> str:
    """Refuse an URL apprise cannot read, in one line showing only its masked form.

    Apprise's own reason is part of the line, with the URL's secrets masked.
    """
    with apprise_held() as said:
        plugin = load_apprise().Apprise.instantiate(url)
    if plugin is None:
        hidden = secrets_in(url)
        reasons = dict.fromkeys(hide(" ".join(line.split()), hidden) for line in said)
        because = f": {'; '.join(reasons)}" if reasons else ""
        raise ChannelError(
            f"{mask_url(url)}: apprise cannot use this URL{because} "
            "(the URL forms are at https://github.com/caronc/apprise/wiki)"
        )
    return url


def check_name(name: str) -> str:
    problem = name_problem(name, "channel name")
    if problem is not None:
        raise ChannelError(problem, field="name")
    return name


def from_file(path: Path) -> list[ChannelRef]:
    """The channels of an apprise YAML or TEXT config file, named ``<file>#<n>``."""
    if not path.is_file():
        raise ChannelError(f"channels_file {path}: file not found", field="channels_file")
    config = load_apprise().AppriseConfig()
    with apprise_held() as said:
        if not config.add(str(path)):
            raise ChannelError(f"channels_file {path}: apprise cannot read it", field="channels_file")
        services = config.services()
    for line in dict.fromkeys(said):
        log.warning("channels_file.apprise_said", file=str(path), message=hide_urls(line))
    refs = []
    for number, plugin in enumerate(services, start=1):
        url = str(plugin.url())
        refs.append(
            ChannelRef(
                name=f"{path.name}#{number}",
                url=url,
                tags=frozenset(str(t) for t in plugin.tags),
                source=str(path),
                masked=mask_url(url),
            )
        )
    if not refs and path.stat().st_size > 0:
        raise ChannelError(f"channels_file {path}: apprise found no usable URL in it", field="channels_file")
    return refs


class ChannelFile:
    """The channels file, read again only when its size, time or inode changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._refs: list[ChannelRef] = []
        self._lock = threading.Lock()

    def read(self) -> list[ChannelRef]:
        try:
            stat = self.path.stat()
        except OSError:
            stamp = None
        else:
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            if stamp is None or stamp != self._stamp:
                self._refs = from_file(self.path)  # a missing or broken file raises, as before
                self._stamp = stamp
            return list(self._refs)

    def forget(self) -> None:
        with self._lock:
            self._stamp = None


def from_database(session: Session) -> list[ChannelRef]:
    rows = session.exec(select(Channel).order_by(col(Channel.name))).all()
    return [
        ChannelRef(
            name=row.name,
            url=row.url,
            tags=frozenset(row.tags),
            source="database",
            masked=mask_url(row.url),
        )
        for row in rows
    ]


def select_channels(channels: Sequence[ChannelRef], tags: Iterable[str]) -> list[ChannelRef]:
    wanted = set(tags)
    return [c for c in channels if c.matches(wanted)]


def email_to(mail_url: str, address: str, *, name: str) -> ChannelRef:
    """The service's email channel (``mail_url``) aimed at one supporter's address."""
    parts = urlsplit(mail_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"]
    query.append(("to", address))
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="@"), ""))
    return ChannelRef(name=name, url=url, tags=frozenset(), source="mail_url", masked=mask_url(mail_url))
