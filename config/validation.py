"""The one mapping from a pydantic validation error to the field at fault and a message for people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from config.errors import Invalid

WHERE_PARTS = frozenset({"body", "query", "path", "header", "cookie"})
"""Where FastAPI says a value came from; not part of the field's name."""
KNOWN_TYPES = {
    "int_parsing": "give a whole number, such as 0 or 3",
    "int_from_float": "give a whole number, such as 0 or 3",
}


def field_of(error: Mapping[str, Any], *, default: str = "body") -> str:
    """The dotted path of the value at fault (``targets.0.fax``), without where it came from."""
    parts = [str(p) for p in error.get("loc", ()) if p not in WHERE_PARTS]
    return ".".join(parts) or default


def problem_of(error: Mapping[str, Any], *, unknown_field: str = "unknown field") -> str:
    """What is wrong, in words: pydantic's message without its ``Value error,`` prefix."""
    if error.get("type") == "extra_forbidden":
        return unknown_field
    if error.get("type") in KNOWN_TYPES:
        return KNOWN_TYPES[str(error["type"])]
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def invalid(
    errors: Iterable[Mapping[str, Any]],
    *,
    source: str | None = None,
    default: str = "body",
    unknown_field: str = "unknown field",
) -> Invalid:
    """The first of ``errors`` as ``Invalid``, saying how many more there are."""
    found = list(errors)
    first = found[0] if found else {}
    problem = problem_of(first, unknown_field=unknown_field)
    more = len(found) - 1
    if more > 0:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return Invalid(field_of(first, default=default), problem, source=source)
