"""Sending through apprise: one channel at a time, its failure translated and kept to itself."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise
import structlog
from apprise.attachment.memory import AttachMemory
from apprise.decorators import notify as apprise_plugin
from apprise.plugins.base import NotifyBase
from apprise.plugins.email import NotifyEmail

from jobs import reasons, transport
from jobs.channels import ChannelRef
from jobs.published import PUBLISHED

log = structlog.get_logger("ua_scheduler.notify")


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Message:
    title: str
    body: str  # Markdown
    key: str  # stable per (what, when): lets a receiver drop a repeat
    attachments: tuple[Attachment, ...] = ()
    """Sent along where the channel takes attachments; the body stands alone where it does not."""
    published: frozenset[str] = frozenset()
    """Officials' published addresses in the message: the log shows them as sent (``log://``)."""


@dataclass(frozen=True)
class Outcome:
    channel: str
    ok: bool
    error: str | None = None
    """Why it failed, in a few words (``connection refused``, ``HTTP 500``); secrets not yet masked."""
    dropped: bool = False
    """Not handed to the channel at all: it could no longer arrive in time, or the channel is gone."""


@apprise_plugin(on="log", name="ua-scheduler log")
def _log_channel(body: str, title: str, *_: object, **__: object) -> bool:
    """``log://``: writes the message to the service log; the demo's channel, and handy for trials."""
    log.info("channel.log_message", title=title, body=body)
    return True


reasons.install()
transport.install()

SEQUENTIAL = apprise.AppriseAsset(async_mode=False)
"""Each send already runs in a worker of ours: apprise need not start a thread pool of its own."""
KEY_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"})
"""Channels that carry custom headers: the idempotency key goes with the message as a header."""
KEY_HEADER = "Idempotency-Key"
PLUGINS_KEPT = 4096
"""Parsed channel URLs kept (every channel, and the latest supporters' addresses)."""


class _Plugins:
    """apprise's parsed form of each channel URL, made once rather than once a message."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._parsed: OrderedDict[str, NotifyBase | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> NotifyBase | None:
        with self._lock:
            if url in self._parsed:
                self._parsed.move_to_end(url)
                return self._parsed[url]
        plugin = apprise.Apprise.instantiate(url, asset=SEQUENTIAL)
        with self._lock:
            self._parsed[url] = plugin
            while len(self._parsed) > self._size:
                self._parsed.popitem(last=False)
        return plugin


_PLUGINS = _Plugins(PLUGINS_KEPT)


def deliver(channel: ChannelRef, message: Message) -> Outcome:
    """Send an outbox message: its key travels as a header where the channel takes headers."""
    return send_one(channel, message, key_header=True)


def send_one(channel: ChannelRef, message: Message, *, key_header: bool = False) -> Outcome:
    plugin = _PLUGINS.get(channel.url)
    if plugin is None:
        log.error("channel.unusable", channel=channel.name, url=channel.masked)
        return Outcome(channel.name, ok=False, error="apprise cannot use this channel's URL")
    if channel.recipient is not None:
        plugin = _addressed(plugin, channel.url, channel.recipient)
        if plugin is None:
            return Outcome(channel.name, ok=False, error="apprise cannot use mail_url for this address")
    sender = copy.copy(plugin)  # a message's own headers, on the parsed channel shared by all
    if key_header and urlsplit(channel.url).scheme.lower() in KEY_SCHEMES:
        headers = {**getattr(plugin, "headers", {}), KEY_HEADER: message.key}
        sender.headers = headers  # type: ignore[attr-defined]  # the plugins that take headers
    shown = PUBLISHED.set(frozenset(a.lower() for a in message.published))
    with reasons.listening() as heard:
        try:
            ok = bool(
                sender.notify(
                    title=message.title,
                    body=message.body,
                    body_format=apprise.NotifyFormat.MARKDOWN,
                    attach=_attachments(sender, message),
                )
            )
        except Exception as exc:  # an apprise plugin bug must not stop the other channels
            log.exception("channel.crashed", channel=channel.name, url=channel.masked)
            return Outcome(channel.name, ok=False, error=f"apprise failed: {type(exc).__name__}")
        finally:
            PUBLISHED.reset(shown)
    if ok:
        log.info("channel.sent", channel=channel.name, key=message.key)
        return Outcome(channel.name, ok=True)
    error = heard.reason()
    log.warning("channel.failed", channel=channel.name, url=channel.masked, key=message.key, error=error)
    return Outcome(channel.name, ok=False, error=error)


def _addressed(plugin: NotifyBase, url: str, address: str) -> NotifyBase | None:
    """The service's mail channel aimed at one supporter. apprise's own SMTP plugin takes the
    address on a copy of the channel parsed once; any other mail service (SendGrid, SES…) is parsed
    with ``to=`` in its URL, as each of them reads it."""
    if isinstance(plugin, NotifyEmail):
        aimed = copy.copy(plugin)
        aimed.targets = [(False, address)]  # its (name, address) pairs
        return aimed
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"]
    query.append(("to", address))
    return _PLUGINS.get(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="@"), "")))


def _attachments(sender: NotifyBase, message: Message) -> apprise.AppriseAttachment | None:
    if not message.attachments or not getattr(sender, "attachment_support", False):
        return None
    attach = apprise.AppriseAttachment()
    for item in message.attachments:
        attach.add(AttachMemory(content=item.content, name=item.name, mimetype=item.mimetype))
    return attach
