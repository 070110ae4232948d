"""Notification channels: apprise URLs with tags, from the apprise config file and the database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlmodel import Session, col, select

from actions.errors import InvalidInputError
from actions.languages import language_code
from actions.models import Channel
from actions.schedules import DigestSpec, QuietHours
from config.names import name_problem
from jobs.errors import ChannelError
from jobs.secrets import apprise_held, hide, hide_urls, load_apprise, mask_url, secrets_in

log = structlog.get_logger("ua_scheduler.channels")
OPTION_FIELDS = ("digest", "quiet_hours", "language", "timezone")
"""A channel's options, beside its ``tag`` in the channels file and in the database."""


@dataclass(frozen=True)
class ChannelOptions:
    """How a channel wants its messages: a digest instead of each reminder, quiet hours, a language.

    ``timezone`` is the zone of ``digest`` and ``quiet_hours``; None means the ``timezone`` setting.
    """

    digest: DigestSpec | None = None
    quiet_hours: QuietHours | None = None
    language: str | None = None
    timezone: str | None = None

    def zone(self, default: str) -> ZoneInfo:
        return ZoneInfo(self.timezone or default)

    def describe(self) -> dict[str, str | None]:
        return {
            "digest": str(self.digest) if self.digest else None,
            "quiet_hours": str(self.quiet_hours) if self.quiet_hours else None,
            "language": self.language,
            "timezone": self.timezone,
        }


def channel_options(
    *,
    digest: str | None = None,
    quiet_hours: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
    source: str | None = None,
) -> ChannelOptions:
    """Check a channel's options; ``InvalidInputError`` names the field at fault."""

    def blank(value: str | None) -> bool:
        return value is None or not str(value).strip()

    try:
        parsed_digest = None if blank(digest) else DigestSpec.parse(str(digest))
    except ValueError as exc:
        raise InvalidInputError("digest", str(exc), source=source) from None
    try:
        parsed_quiet = None if blank(quiet_hours) else QuietHours.parse(str(quiet_hours))
    except ValueError as exc:
        raise InvalidInputError("quiet_hours", str(exc), source=source) from None
    try:
        code = None if blank(language) else language_code(str(language))
    except ValueError as exc:
        raise InvalidInputError("language", str(exc), source=source) from None
    zone_name = None if blank(timezone) else str(timezone).strip()
    if zone_name is not None:
        try:
            ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(
                "timezone", f"{zone_name!r} is not a time zone name such as 'Europe/Amsterdam'", source=source
            ) from None
    return ChannelOptions(parsed_digest, parsed_quiet, code, zone_name)


def new_channel(
    name: str, url: str, tags: Iterable[str], options: ChannelOptions, *, now: datetime
) -> Channel:
    """A channel row to add, checked: its name, its URL (never echoed) and its options."""
    check_name(name)
    check_url(url)
    shown = options.describe()
    return Channel(
        name=name,
        url=url,
        tags=sorted(set(tags)),
        created_at=now,
        digest=shown["digest"],
        quiet_hours=shown["quiet_hours"],
        language=options.language,
        timezone=options.timezone,
    )


@dataclass(frozen=True)
class ChannelRef:
    """A channel ready to use. ``url`` is secret: show ``masked`` instead."""

    name: str
    url: str = field(repr=False)
    tags: frozenset[str]
    source: str
    masked: str
    options: ChannelOptions = field(default_factory=ChannelOptions)
    created_at: datetime | None = None
    recipient: str | None = None
    """For the service's mail channel aimed at one supporter: the one address the message goes to."""

    def matches(self, tags: Iterable[str]) -> bool:
        return not self.tags.isdisjoint(tags)

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "url": self.masked,
            "tags": sorted(self.tags),
            "source": self.source,
            **self.options.describe(),
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
    options = _file_options(path)
    with apprise_held() as said:
        if options is None:
            if not config.add(str(path)):
                raise ChannelError(f"channels_file {path}: apprise cannot read it", field="channels_file")
        elif not config.add_config(options[0], format="yaml"):
            raise ChannelError(f"channels_file {path}: apprise cannot read it", field="channels_file")
        services = list(config.services())
    for line in dict.fromkeys(said):
        log.warning("channels_file.apprise_said", file=str(path), message=hide_urls(line))
    if options is not None and len(services) != len(options[1]):
        raise ChannelError(
            f"channels_file {path}: apprise could read only {len(services)} of its "
            f"{len(options[1])} URLs (its log lines say which)",
            field="channels_file",
        )
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
                options=options[1][number - 1] if options is not None else ChannelOptions(),
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


def _file_options(path: Path) -> tuple[str, list[ChannelOptions]] | None:
    """A YAML channels file with our options beside ``tag``: the file without them, for apprise,
    and each URL's options in the order apprise lists the URLs. None when no option is used."""
    if path.suffix.lower() not in {".yaml", ".yml"}:
        return None
    import yaml  # noqa: PLC0415  (only with a channels file: apprise reads it with the same library)

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None  # apprise reads it, or says why it cannot
    urls = document.get("urls") if isinstance(document, dict) else None
    if not isinstance(urls, list) or not _uses_options(urls):
        return None
    found: list[ChannelOptions] = []
    for number, entry in enumerate(urls, start=1):
        where = f"channels_file {path}, URL #{number}"
        if isinstance(entry, str):
            found.append(ChannelOptions())
            continue
        if not isinstance(entry, dict):
            continue
        for settings in entry.values():
            blocks = settings if isinstance(settings, list) else [settings]
            for block in blocks:
                given = block if isinstance(block, dict) else {}
                values = {k: given.pop(k) for k in OPTION_FIELDS if k in given}
                found.append(channel_options(**{k: _text(v) for k, v in values.items()}, source=where))
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False), found


def _uses_options(urls: list[Any]) -> bool:
    for entry in urls:
        if not isinstance(entry, dict):
            continue
        for settings in entry.values():
            for block in settings if isinstance(settings, list) else [settings]:
                if isinstance(block, dict) and any(k in block for k in OPTION_FIELDS):
                    return True
    return False


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def options_of(row: Channel) -> ChannelOptions:
    """A stored channel's options (checked when it was added)."""
    return channel_options(
        digest=row.digest,
        quiet_hours=row.quiet_hours,
        language=row.language,
        timezone=row.timezone,
        source=f"channel {row.name}",
    )


def from_database(session: Session) -> list[ChannelRef]:
    rows = session.exec(select(Channel).order_by(col(Channel.name))).all()
    return [
        ChannelRef(
            name=row.name,
            url=row.url,
            tags=frozenset(row.tags),
            source="database",
            masked=mask_url(row.url),
            options=options_of(row),
            created_at=row.created_at,
        )
        for row in rows
    ]


def reminded_one_by_one(channels: Sequence[ChannelRef]) -> list[ChannelRef]:
    """The channels that get each reminder as it comes (a digest channel gets its round-up instead)."""
    return [c for c in channels if c.options.digest is None]


def by_name(channels: Sequence[ChannelRef]) -> Mapping[str, ChannelRef]:
    return {c.name: c for c in channels}


def select_channels(channels: Sequence[ChannelRef], tags: Iterable[str]) -> list[ChannelRef]:
    wanted = set(tags)
    return [c for c in channels if c.matches(wanted)]


def mail_channel(mail_url: str) -> ChannelRef:
    """The service's email channel (``mail_url``), to be aimed at supporters with :func:`email_to`."""
    masked = mask_url(mail_url)
    return ChannelRef(name="mail_url", url=mail_url, tags=frozenset(), source="mail_url", masked=masked)


def email_to(mail: ChannelRef, address: str, *, name: str) -> ChannelRef:
    """The service's email channel aimed at one supporter's address: the URL stays the service's,
    parsed (and masked) once for every supporter, and the address is set on each message."""
    return replace(mail, name=name, recipient=address)
