"""YAML config files into pydantic models, with errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from beneficial_rl.errors import DataError

M = TypeVar("M", bound=BaseModel)


def read_yaml_mapping(path: str | Path, what: str = "config") -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise DataError(str(path), None, None, "no such config file")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as e:
        raise DataError(str(path), None, None, f"invalid YAML: {e}") from None
    if not isinstance(raw, dict):
        raise DataError(str(path), None, None, f"a {what} must be a mapping")
    return raw


def validate_as(model: type[M], raw: dict[str, Any], path: str | Path) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        more = f" (and {len(e.errors()) - 1} more)" if len(e.errors()) > 1 else ""
        raise DataError(str(path), None, ".".join(str(p) for p in err["loc"]) or None, err["msg"] + more) from None
