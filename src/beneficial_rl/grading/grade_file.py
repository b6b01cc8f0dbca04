"""`brl grade`: grade a JSONL of (conversation, response, rubric) rows, write one result row each.

Input row: `id`, `messages` (or `conversation`: role/content turns the response answers),
`response`, `rubric` (RubricItem objects), optional `trait`. Output row: the input id, `score`
(null when grading failed or the offline grader could check nothing), per-item `verdicts`,
`flags`, `failures`, and the grader, protocol hash and `approximate`. A `<out>.meta.json` next to
it records the grader's metadata and counts, so a report can show the protocol and failure rate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from beneficial_rl.errors import BrlError, DataError
from beneficial_rl.grading.base import GradeRequest, GradeResult
from beneficial_rl.grading.config import JudgeConfig, OfflineConfig
from beneficial_rl.grading.factory import make_grader, make_trait_grader, run_sync
from beneficial_rl.grading.offline import OfflineGrader
from beneficial_rl.scenarios.schema import Message, RubricItem
from beneficial_rl.utils.io import atomic_write_json, atomic_write_jsonl, iter_jsonl

CHUNK = 512  # requests per grade() call: bounds memory and lets the failure budget stop early


def load_requests(path: str | Path) -> list[GradeRequest]:
    """Parse and validate input rows; a bad row raises a DataError naming file, line and field."""
    out, seen = [], set()
    for line, row in iter_jsonl(path):
        if not isinstance(row, dict):
            raise DataError(str(path), line, None, "each line must be a JSON object")
        for key in ("id", "response"):
            if not isinstance(row.get(key), str) or (key == "id" and not row[key]):
                raise DataError(str(path), line, key, f"{key!r} must be a non-empty string" if key == "id" else
                                f"{key!r} must be a string")
        if row["id"] in seen:
            raise DataError(str(path), line, "id", f"duplicate id {row['id']!r}")
        seen.add(row["id"])
        convo = row.get("messages", row.get("conversation"))
        if not isinstance(convo, list):
            raise DataError(str(path), line, "messages", "needs 'messages' (or 'conversation'): a list of role/content turns")
        try:
            messages = [Message.model_validate(m).model_dump() for m in convo]
        except ValidationError as e:
            raise DataError(str(path), line, "messages", _first_error(e)) from None
        rubric = row.get("rubric", [])
        if not isinstance(rubric, list):
            raise DataError(str(path), line, "rubric", "must be a list of {criterion, points[, check]}")
        items = []
        for k, item in enumerate(rubric):
            try:
                items.append(RubricItem.model_validate(item))
            except ValidationError as e:
                raise DataError(str(path), line, f"rubric[{k}]", _first_error(e)) from None
        out.append(GradeRequest(id=row["id"], messages=messages, response=row["response"], rubric=items,
                                trait=row.get("trait")))
    return out


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def build_config(judge: str, config_file: str | None = None, **overrides: Any) -> JudgeConfig | OfflineConfig:
    """A grader config from `--judge`, an optional YAML/JSON config file, and CLI overrides."""
    body: dict[str, Any] = {}
    if config_file:
        try:
            body = yaml.safe_load(Path(config_file).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise BrlError(f"cannot read grader config {config_file}: {e}") from None
        if not isinstance(body, dict):
            raise BrlError(f"{config_file}: a grader config must be a mapping")
    offline = judge.strip().lower() == "offline" or body.get("kind") == "offline"
    body.pop("kind", None)
    try:
        if offline:
            return OfflineConfig(**body)
        body["model"] = judge
        body.update({k: v for k, v in overrides.items() if v is not None})
        return JudgeConfig(**body)
    except ValidationError as e:
        raise BrlError(f"invalid grader config: {_first_error(e)}") from None


def grade_file(responses: str | Path, config: JudgeConfig | OfflineConfig, out: str | Path | None = None,
               trait_judge: bool = False, model: Any = None) -> dict[str, Any]:
    """Grade every row of `responses`; write `out` and `out.meta.json`; return the summary."""
    requests = load_requests(responses)
    out = Path(out) if out else Path(str(responses).removesuffix(".jsonl") + ".graded.jsonl")
    grader = make_trait_grader(config, model=model) if trait_judge else make_grader(config, model=model)
    results: list[GradeResult] = []
    for i in range(0, len(requests), CHUNK):
        chunk = requests[i:i + CHUNK]
        results += grader.grade_now(chunk) if isinstance(grader, OfflineGrader) else run_sync(grader.grade(chunk))
    atomic_write_jsonl(out, [r.to_row() for r in results])
    scores = [r.score for r in results if r.score is not None]
    meta = grader.metadata()  # type: ignore[attr-defined]
    summary = {
        "out": str(out), "rows": len(results), "scored": len(scores),
        "failed": sum(1 for r in results if r.score is None and r.failures),
        "excluded_other": sum(1 for r in results if r.score is None and not r.failures),
        "flagged_addresses_grader": sum("addresses_grader" in r.flags for r in results),
        "mean_score": sum(scores) / len(scores) if scores else None,
        "grader": meta["grader"], "protocol": meta["protocol"], "approximate": meta["approximate"],
    }
    atomic_write_json(str(out) + ".meta.json", {"summary": summary, "grader": json.loads(json.dumps(meta, default=str))})
    return summary
