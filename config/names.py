"""The one rule for names and tags (channels, tokens, tags): letters, digits, ``-`` and ``_``."""

from __future__ import annotations

import re

NAME_MAX_LEN = 64
NAME_PATTERN = rf"^[A-Za-z0-9_-]{{1,{NAME_MAX_LEN}}}$"
"""The rule as a regular expression, for schemas (OpenAPI) and for checking alike."""
_NAME = re.compile(NAME_PATTERN)


def name_problem(value: str, what: str) -> str | None:
    """Why ``value`` is not a ``what`` (``tag``, ``channel name``…), or None if it is one."""
    if _NAME.fullmatch(value):
        return None
    return f"{value[:NAME_MAX_LEN]!r} is not a {what}: use up to {NAME_MAX_LEN} letters, digits, '-' and '_'"


def checked(value: str, what: str) -> str:
    """``value`` if it is a ``what``; else ``ValueError`` (for pydantic validators, which name the field)."""
    problem = name_problem(value, what)
    if problem is not None:
        raise ValueError(problem)
    return value


def tag_set(values: list[str]) -> list[str]:
    """Tags checked, without repeats, sorted."""
    return sorted({checked(tag, "tag") for tag in values})
