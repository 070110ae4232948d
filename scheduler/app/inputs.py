"""A door's raw values to a validated spec: the first problem becomes ``Invalid`` naming the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from config.validation import invalid

Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], **values: Any) -> Model:
    """``model`` from ``values`` (None meaning "not given"); ``Invalid`` naming the first bad field."""
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise invalid(exc.errors(include_url=False, include_input=False)) from None
