"""The timetable: what will be sent when, to which tags and channels."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from actions import views
from config.settings import Settings
from jobs.channels import ChannelSource, select_channels


def timetable(session: Session, *, settings: Settings, channels: ChannelSource) -> list[dict[str, Any]]:
    """Pending reminders and closes, soonest first, each with the channels (by name) it would go to now."""
    entries = views.timetable(session, settings)
    known = channels(session)
    for entry in entries:
        entry["channels"] = [c.name for c in select_channels(known, entry["tags"])]
    return entries
