"""Standard RL tasks for the 95% slice: one file per task family, each a seeded stream of
StandardItems with a verifier that code runs.

Families (the `family` of a task, used in reports and in the degenerate-panel test):
    math          arithmetic, word_problems, math (exact fractions, math-verify), gsm8k_train, math_train
    code          code (generated functions + unit tests in the sandbox), mbpp_train
    instructions  instructions (task check x format constraints)
    qa            qa (reading comprehension + factual, answer aliases), triviaqa_train
    logic         logic (puzzles with unique solutions)
    structured    structured (JSON against a schema)
Helpfulness prompts carry a rubric and are graded by the reward judge, not by code; they are not
part of the default mixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from beneficial_rl.training.config import DataSource
from beneficial_rl.training.tasks import (
    arithmetic,
    code,
    external,
    helpfulness,
    hub,
    instructions,
    logic,
    math_problems,
    qa,
    structured,
    word_problems,
)
from beneficial_rl.training.tasks.base import StandardItem, verify_math

GENERATORS: dict[str, Callable[..., Iterator[StandardItem]]] = {
    "arithmetic": arithmetic.stream,
    "word_problems": word_problems.stream,
    "math": math_problems.stream,
    "code": code.stream,
    "instructions": instructions.stream,
    "qa": qa.stream,
    "logic": logic.stream,
    "structured": structured.stream,
    "helpfulness": helpfulness.stream,
}

# Which family each built-in generator and hub loader belongs to.
FAMILY: dict[str, str] = {
    "arithmetic": "math", "word_problems": "math", "math": "math", "gsm8k_train": "math", "math_train": "math",
    "code": "code", "mbpp_train": "code", "instructions": "instructions", "qa": "qa", "triviaqa_train": "qa",
    "logic": "logic", "structured": "structured", "helpfulness": "helpfulness",
}

# reward_kind -> verifier(text, target) -> reward in [0, 1]
VERIFIERS: dict[str, Callable[[str, Any], float]] = {
    "math": verify_math,
    "constraints": instructions.verify,
    "code": code.verify,
    "qa": qa.verify,
    "json": structured.verify,
}


def source_stream(src: DataSource, seed: str) -> Iterator[StandardItem]:
    """An endless, reproducible stream of items from one configured source."""
    if src.kind in GENERATORS:
        return GENERATORS[src.kind](seed, src.task)
    if src.kind in hub.LOADERS:
        return hub.stream(src, seed)
    return external.stream(src, seed)


def verify(kind: str, text: str, target: Any) -> float:
    """Exact verifiers for standard items; rubric items go to the reward judge instead."""
    if kind in VERIFIERS:
        return VERIFIERS[kind](text, target)
    raise ValueError(f"{kind!r} items are graded by the reward judge, not a verifier")


__all__ = ["FAMILY", "GENERATORS", "VERIFIERS", "StandardItem", "source_stream", "verify"]
