"""Action files in TOML or YAML with the fields of ``ActionSpec``; errors name file, line and field."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from actions.errors import InvalidInputError
from actions.specs import ActionSpec
from config.validation import invalid

UNKNOWN_FIELD = "unknown field (see the README for the action file's fields)"

SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
TODO = "TODO"  # what a draft action file holds where the document did not say


def load_action_file(path: Path, content: bytes | None = None) -> ActionSpec:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InvalidInputError(
            "file", f"{path.suffix or 'no suffix'}: use .toml, .yaml or .yml", source=str(path)
        )
    try:
        text = content.decode("utf-8") if content is not None else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError("file", f"cannot read it: {exc}", source=str(path)) from None
    data = _parse(text, kind, path)
    if not isinstance(data, dict):
        raise InvalidInputError("file", "expected a table of fields at the top", source=str(path))
    left = has_todo(data)
    if left is not None:
        line = _line_of(text, kind, left)
        raise InvalidInputError(
            ".".join(str(p) for p in left),
            f"still {TODO}: fill it in before importing",
            source=f"{path}:{line}" if line else str(path),
        )
    try:
        return ActionSpec.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        line = _line_of(text, kind, errors[0]["loc"])
        where = f"{path}:{line}" if line else str(path)
        found = invalid(errors, source=where, default="file", unknown_field=UNKNOWN_FIELD)
        raise InvalidInputError(found.field, found.problem, source=where) from None


def has_todo(data: Any, path: tuple[int | str, ...] = ()) -> tuple[int | str, ...] | None:
    """Where an action file still holds a TODO (a value that is or starts with it), if it does."""
    if isinstance(data, str) and data.strip().startswith(TODO):
        return path
    items: list[tuple[int | str, Any]] = []
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    for key, value in items:
        found = has_todo(value, (*path, key))
        if found is not None:
            return found
    return None


def _parse(text: str, kind: str, path: Path) -> Any:
    if kind == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInputError("file", f"not valid TOML: {exc}", source=str(path)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise InvalidInputError("file", "not valid YAML", source=where) from None


def _line_of(text: str, kind: str, loc: tuple[int | str, ...]) -> int | None:
    """The line where the field at ``loc`` is written, when the format lets us find it."""
    if kind == "yaml":
        return _yaml_line(text, loc)
    key = next((p for p in reversed(loc) if isinstance(p, str)), None)
    if key is None:
        return None
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _yaml_line(text: str, loc: tuple[int | str, ...]) -> int | None:
    node: Any = yaml.compose(text)
    line: int | None = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == part), None)
            if found is None:
                return line
            line = found[0].start_mark.line + 1
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
