"""Sending through apprise: one channel at a time, its failure translated and kept to itself."""

from __future__ import annotations

from dataclasses import dataclass

import apprise
import structlog
from apprise.attachment.memory import AttachMemory
from apprise.decorators import notify as apprise_plugin

from jobs import reasons
from jobs.channels import ChannelRef

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


@dataclass(frozen=True)
class Outcome:
    channel: str
    ok: bool
    error: str | None = None
    """Why it failed, in a few words (``connection refused``, ``HTTP 500``); secrets not yet masked."""


@apprise_plugin(on="log", name="ua-scheduler log")
def _log_channel(body: str, title: str, *_: object, **__: object) -> bool:
    """``log://``: writes the message to the service log; the demo's channel, and handy for trials."""
    log.info("channel.log_message", title=title, body=body)
    return True


reasons.install()

SEQUENTIAL = apprise.AppriseAsset(async_mode=False)
"""Each send already runs in a worker of ours: apprise need not start a thread pool of its own."""


def send_one(channel: ChannelRef, message: Message) -> Outcome:
    sender = apprise.Apprise(asset=SEQUENTIAL)
    if not sender.add(channel.url):
        log.error("channel.unusable", channel=channel.name, url=channel.masked)
        return Outcome(channel.name, ok=False, error="apprise cannot use this channel's URL")
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
    if ok:
        log.info("channel.sent", channel=channel.name, key=message.key)
        return Outcome(channel.name, ok=True)
    error = heard.reason()
    log.warning("channel.failed", channel=channel.name, url=channel.masked, key=message.key, error=error)
    return Outcome(channel.name, ok=False, error=error)


def _attachments(sender: apprise.Apprise, message: Message) -> apprise.AppriseAttachment | None:
    if not message.attachments or not all(getattr(p, "attachment_support", False) for p in sender):
        return None
    attach = apprise.AppriseAttachment()
    for item in message.attachments:
        attach.add(AttachMemory(content=item.content, name=item.name, mimetype=item.mimetype))
    return attach
