"""Read and validate scenario JSONL files; every problem names file, line and field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from beneficial_rl.errors import DataError
from beneficial_rl.scenarios.schema import Scenario

LIBRARY = Path(__file__).parent / "library"


@dataclass
class ValidationReport:
    scenarios: list[Scenario]
    errors: list[DataError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(row)"


def validate_files(paths: Iterable[str | Path]) -> ValidationReport:
    """Parse every row of every file, collecting all errors rather than stopping at the first."""
    scenarios: list[Scenario] = []
    errors: list[DataError] = []
    seen: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        if not path.is_file():
            errors.append(DataError(str(path), None, None, "no such file"))
            continue
        for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as e:
                errors.append(DataError(str(path), line, None, f"invalid JSON ({e.msg} at column {e.colno})"))
                continue
            if not isinstance(row, dict):
                errors.append(DataError(str(path), line, None, "each line must be a JSON object"))
                continue
            try:
                sc = Scenario.model_validate(row)
            except ValidationError as e:
                for err in e.errors():
                    errors.append(DataError(str(path), line, _field_path(err["loc"]), err["msg"]))
                continue
            if sc.id in seen:
                errors.append(DataError(str(path), line, "id", f"duplicate id {sc.id!r} (first in {seen[sc.id]})"))
                continue
            seen[sc.id] = f"{path}:{line}"
            scenarios.append(sc)
    return ValidationReport(scenarios, errors)


def library_files(split: str | None = None) -> list[Path]:
    splits = [split] if split else ["train", "eval"]
    return sorted(p for s in splits for p in (LIBRARY / s).glob("*.jsonl"))


def load_scenarios(paths: Iterable[str | Path]) -> list[Scenario]:
    """Load files or raise the first error (with a count of the rest)."""
    report = validate_files(paths)
    if report.errors:
        first = report.errors[0]
        more = f" (and {len(report.errors) - 1} more errors)" if len(report.errors) > 1 else ""
        raise DataError(first.path, first.line, first.field, first.detail + more)
    return report.scenarios


def load_library(split: str | None = None) -> list[Scenario]:
    """The shipped scenarios, optionally one split. A row's split must match its folder, so an
    eval item can never be trained on by being filed in the wrong place."""
    out: list[Scenario] = []
    for s in [split] if split else ["train", "eval"]:
        for sc in load_scenarios(library_files(s)):
            if sc.split != s:
                raise DataError(str(LIBRARY / s), None, "split", f"{sc.id} has split {sc.split!r} in the {s} folder")
            out.append(sc)
    return out
