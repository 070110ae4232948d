"""Errors of the Urgent Action document reader.

``DocumentError`` is raised for what the reader cannot read at all (no UA number, no deadline,
two UA numbers that disagree, a file it cannot open). Fields it is merely unsure of become
``ParseWarning`` entries on the result instead.
"""

from __future__ import annotations


class DocumentError(ValueError):
    """A document could not be read; the message names the file, the line and the field."""

    def __init__(self, source: str, line: int | None, field: str, message: str) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {field}: {message}")
