"""Standard RL prompts from a local JSONL file or a `datasets` dataset (hub name or local folder).

A row needs a prompt (text or chat messages) and one way to reward it: a numeric `answer` (math
verifier), `constraints` (instruction verifier), `tests` (+ optional `entry`, `setup`: unit tests
in the sandbox), `aliases` (QA), `schema` + `expected` (JSON output) or a `rubric` (reward judge). Field names for the
prompt and answer are configurable, so GSM8K-style datasets work unchanged
(`prompt_field: question`, whose `answer` ends in '#### 72').
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from beneficial_rl.errors import BrlError, DataError
from beneficial_rl.scenarios.schema import RubricItem
from beneficial_rl.training.config import DataSource
from beneficial_rl.training.tasks import code, instructions, qa, structured
from beneficial_rl.training.tasks.base import ANSWER_INSTRUCTION, StandardItem, gold_number, user
from beneficial_rl.utils.io import iter_jsonl


def to_item(row: Any, src: DataSource, index: int, where: str, line: int | None) -> StandardItem:
    """One row as a StandardItem, or a DataError naming where it came from and what is wrong."""
    if not isinstance(row, dict):
        raise DataError(where, line, None, "each row must be an object")
    prompt = row.get(src.prompt_field)
    if isinstance(prompt, str) and prompt.strip():
        messages = user(prompt)
    elif isinstance(prompt, list) and prompt and all(isinstance(m, dict) and {"role", "content"} <= set(m) for m in prompt):
        messages = [{"role": m["role"], "content": m["content"]} for m in prompt]
        if messages[-1]["role"] != "user":
            raise DataError(where, line, src.prompt_field, "the conversation must end on a user turn")
    else:
        raise DataError(where, line, src.prompt_field, "needs a prompt string or a list of {role, content} messages")
    item_id = str(row.get("id", f"{src.task}-{index}"))
    answer = row.get(src.answer_field)
    if answer is not None:
        if gold_number(answer) is None:
            raise DataError(where, line, src.answer_field, f"no number in the answer {answer!r}")
        if src.answer_instruction:
            messages[-1] = {**messages[-1], "content": messages[-1]["content"] + "\n\n" + ANSWER_INSTRUCTION}
        return StandardItem(item_id, src.task, messages, "math", str(answer))
    if "constraints" in row:
        try:
            return StandardItem(item_id, src.task, messages, "constraints", instructions.validate(row["constraints"]))
        except ValueError as e:
            raise DataError(where, line, "constraints", str(e)) from None
    for field, kind, check in (("tests", "code", code.validate), ("aliases", "qa", qa.validate),
                               ("schema", "json", structured.validate)):
        if field in row:
            target = {k: row[k] for k in ("entry", "tests", "setup", "aliases", "schema", "expected") if k in row}
            try:
                return StandardItem(item_id, src.task, messages, kind, check(target))
            except ValueError as e:
                raise DataError(where, line, field, str(e)) from None
    if "rubric" in row:
        try:
            rubric = [RubricItem.model_validate(r).model_dump(exclude_none=True) for r in row["rubric"]]
        except (ValidationError, TypeError) as e:
            raise DataError(where, line, "rubric", str(e).splitlines()[0]) from None
        if not any(r["points"] > 0 for r in rubric):
            raise DataError(where, line, "rubric", "needs at least one positive item")
        return StandardItem(item_id, src.task, messages, "rubric", rubric)
    raise DataError(where, line, None, f"row needs '{src.answer_field}', 'constraints', 'tests', 'aliases', "
                    "'schema' + 'expected' or 'rubric' to be rewarded")


def load_items(src: DataSource) -> list[StandardItem]:
    """Every row of the source, validated up front so a bad row fails before training starts."""
    assert src.path
    if src.kind == "jsonl":
        path = Path(src.path)
        if not path.is_file():
            raise DataError(str(path), None, None, "no such file")
        items = [to_item(row, src, i, str(path), line) for i, (line, row) in enumerate(iter_jsonl(path))]
    else:
        items = [to_item(row, src, i, src.path, i + 1) for i, row in enumerate(_load_dataset(src))]
    if not items:
        raise DataError(src.path, None, None, "no rows")
    return items


def _load_dataset(src: DataSource) -> Any:
    from datasets import load_dataset

    try:
        return load_dataset(src.path, src.subset, split=src.split)
    except Exception as e:  # datasets raises many kinds (connection, missing split, missing file)
        raise BrlError(
            f"cannot load dataset {src.path!r} (subset {src.subset!r}, split {src.split!r}): {e}. Hub datasets need "
            "the internet or a local copy (a folder saved with save_to_disk/push or a data file)."
        ) from None


def stream(src: DataSource, seed: str) -> Iterator[StandardItem]:
    """The rows in a seeded order, reshuffled on each pass, for as long as the mixture needs."""
    items = load_items(src)
    rng = random.Random(seed)
    while True:
        order = list(range(len(items)))
        rng.shuffle(order)
        for i in order:
            yield items[i]
