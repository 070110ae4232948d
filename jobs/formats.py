"""The tally's forms and their media types (light: the CLI's ``--help`` reads them)."""

from __future__ import annotations

from typing import Literal

TallyFormat = Literal["md", "html", "json", "csv", "pdf", "letter"]
FORMATS: tuple[TallyFormat, ...] = ("pdf", "html", "md", "csv", "json", "letter")
MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "letter": "text/plain; charset=utf-8",
}
