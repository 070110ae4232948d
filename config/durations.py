"""Durations as staff write them: ``7d``, ``3h``, ``90m``, ``5s``, ``1w``, ``1d12h``."""

from __future__ import annotations

import re
from datetime import timedelta

_UNIT_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"([0-9]+)\s*([wdhms])")
_WHOLE = re.compile(r"(?:[0-9]+\s*[wdhms]\s*)+")


def parse_duration(text: str) -> timedelta:
    """Parse ``text`` such as ``"3d"`` or ``"1d12h"``; raise ``ValueError`` naming the text."""
    compact = text.strip().lower()
    if not compact or not _WHOLE.fullmatch(compact):
        raise ValueError(
            f"{text!r} is not a duration: use a number and a unit w, d, h, m or s, such as '3d' or '5s'"
        )
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(compact))
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r} is too long a duration") from None


def format_duration(delta: timedelta) -> str:
    """The compact form that ``parse_duration`` reads back: ``timedelta(days=1, hours=12)`` → ``1d12h``."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNIT_SECONDS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
