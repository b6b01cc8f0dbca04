"""Standard RL tasks for the 95% slice: one file per task, each a seeded stream of StandardItems.

Math and instruction tasks are checked by exact verifiers here; helpfulness prompts carry a rubric
and are graded by the reward judge.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from beneficial_rl.training.config import DataSource
from beneficial_rl.training.tasks import arithmetic, external, helpfulness, instructions, word_problems
from beneficial_rl.training.tasks.base import StandardItem, verify_math

GENERATORS = {
    "arithmetic": arithmetic.stream,
    "word_problems": word_problems.stream,
    "instructions": instructions.stream,
    "helpfulness": helpfulness.stream,
}


def source_stream(src: DataSource, seed: str) -> Iterator[StandardItem]:
    """An endless, reproducible stream of items from one configured source."""
    if src.kind in GENERATORS:
        return GENERATORS[src.kind](seed, src.task)
    return external.stream(src, seed)


def verify(kind: str, text: str, target: Any) -> float:
    """Exact verifiers for standard items; rubric items go to the reward judge instead."""
    if kind == "math":
        return verify_math(text, target)
    if kind == "constraints":
        return instructions.verify(text, target)
    raise ValueError(f"{kind!r} items are graded by the reward judge, not a verifier")


__all__ = ["GENERATORS", "StandardItem", "source_stream", "verify"]
