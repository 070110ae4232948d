"""The timetable: what will be sent when (UTC and local time), to which channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from config.settings import Settings
from jobs import timetable as planned
from jobs.channels import ChannelSource


def timetable(
    session: Session, *, settings: Settings, channels: ChannelSource, now: datetime
) -> list[dict[str, Any]]:
    """Pending reminders (moved before quiet hours where a channel keeps them), closes and digests,
    soonest first, each with the channels (by name) it would go to now."""
    return planned.timetable(session, settings, channels(session), now)
