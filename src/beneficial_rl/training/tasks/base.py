"""The shape every standard RL task produces, and the math answer format shared by several tasks."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

RewardKind = Literal["math", "constraints", "rubric"]

ANSWER_INSTRUCTION = "Work it out step by step, then finish with a final line of the form 'Answer: <number>'."

# Partial credit of the math verifier. A formatted but wrong answer earns a little so that early
# groups are not all zero (GRPO learns nothing from a group with equal rewards); a correct number
# without the requested format earns more than that but less than a correct, formatted answer.
FORMAT_CREDIT = 0.1
UNFORMATTED_CORRECT_CREDIT = 0.5

_NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
_ANSWER_LINE = re.compile(r"answer\s*(?:is)?\s*[:=]?\s*\**\s*\$?\s*(" + _NUMBER + ")", re.IGNORECASE)
_ANY_NUMBER = re.compile(_NUMBER)


@dataclass
class StandardItem:
    """One standard prompt: the conversation, how it is rewarded, and what it is checked against.

    `target` is the exact answer (math), a list of constraint dicts (constraints) or a list of
    rubric item dicts (rubric, graded by the reward judge)."""

    id: str
    task: str
    messages: list[dict[str, str]]
    reward_kind: RewardKind
    target: Any


def parse_number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def gold_number(answer: Any) -> float | None:
    """The exact answer as a number; for strings, the last number in them (so GSM8K's
    '... #### 72' works unchanged)."""
    if isinstance(answer, int | float):
        return float(answer)
    found = _ANY_NUMBER.findall(str(answer))
    return parse_number(found[-1]) if found else None


def verify_math(text: str, answer: Any) -> float:
    """1 for the right number on an 'Answer:' line; partial credit as documented above."""
    gold = gold_number(answer)
    if gold is None:
        raise ValueError(f"no number in the reference answer {answer!r}")

    def same(x: float | None) -> bool:
        return x is not None and math.isclose(x, gold, rel_tol=1e-9, abs_tol=1e-6)

    marked = _ANSWER_LINE.findall(text)
    if marked:
        return 1.0 if same(parse_number(marked[-1])) else FORMAT_CREDIT
    numbers = _ANY_NUMBER.findall(text)
    if numbers and same(parse_number(numbers[-1])):
        return UNFORMATTED_CORRECT_CREDIT
    return 0.0


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]
