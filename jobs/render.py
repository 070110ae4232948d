"""Jinja2 rendering of reminders and tallies; templates live in ``jobs/templates``.

Markdown templates (``*.md.j2``) go out as email (apprise renders them to HTML) and chat: every
value put into them is made inert first (``markdown_text``), so a title or subject such as
``<script>`` or ``<img src=…>`` arrives as text, never as a tag, a link or code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

_MARKDOWN_INERT = str.maketrans({"<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`", "\\": "\\\\"})


def markdown_text(value: Any) -> Any:
    """User-supplied text made inert in Markdown: no HTML tag, no link, no code span."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.translate(_MARKDOWN_INERT)
    return value


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("jobs", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def markdown_environment() -> jinja2.Environment:
    return environment().overlay(finalize=markdown_text)


def render(name: str, **context: Any) -> str:
    chosen = markdown_environment() if name.endswith(".md.j2") else environment()
    return chosen.get_template(name).render(**context)
