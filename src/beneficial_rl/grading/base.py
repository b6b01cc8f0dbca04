"""The grading contract every grader honours, and the one pure scoring function.

`score()` is the only place rubric points become a number. The RL reward and the evaluation
metric both call it, so a difference between them can only come from the judge role, never from
arithmetic (openai/simple-evals' healthbench `calculate_score` has the same shape).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from beneficial_rl.scenarios.schema import RubricItem


def score(items: Sequence[RubricItem], verdicts: Sequence[float | bool | None]) -> float | None:
    """Met positive points plus met negative points, over total positive points, clipped to [0, 1].

    A verdict is 1/True (met), 0/False (not met) or a probability of "met" (dense rewards). Returns
    None when the rubric has no positive points or any verdict is missing: a grading failure
    excludes the sample rather than scoring it 0 or 1.
    """
    if len(items) != len(verdicts):
        raise ValueError(f"{len(items)} rubric items but {len(verdicts)} verdicts")
    total = sum(i.points for i in items if i.points > 0)
    if total <= 0 or any(v is None for v in verdicts):
        return None
    got = sum(i.points * float(v) for i, v in zip(items, verdicts, strict=True))
    return min(1.0, max(0.0, got / total))


@dataclass
class GradeRequest:
    """One response to grade: the conversation it answers, and the rubric (or trait) to apply."""

    id: str
    messages: list[dict[str, str]]
    response: str
    rubric: list[RubricItem]
    trait: str | None = None


@dataclass
class ItemVerdict:
    criterion: str
    points: float
    met: float | None  # probability of "met" in [0, 1]; None when grading this item failed
    reasoning: str = ""
    source: str = ""  # how `met` was decided: "judge", "judge:logprobs", "check", "detector:refusal", ...


@dataclass
class GradeResult:
    id: str
    score: float | None  # None: grading failed, sample excluded
    verdicts: list[ItemVerdict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # e.g. "addresses_grader"
    failures: int = 0  # malformed verdicts after bounded retries
    grader: str = ""  # which grader produced it, e.g. "offline (approximate)"
    protocol: str = ""  # sha256 of prompt texts + settings: results compare only under one protocol
    approximate: bool = False  # True for the offline grader
    dense: str = ""  # how verdicts became numbers in this result: "logprobs", "samples:5", "hard", "check"
    signals: dict[str, Any] = field(default_factory=dict)  # detector outputs (refusal, hedging, toxicity, ...)

    def to_row(self) -> dict[str, Any]:
        """The JSONL row `brl grade` writes and reports read."""
        return {
            "id": self.id, "score": self.score, "verdicts": [asdict(v) for v in self.verdicts],
            "flags": list(self.flags), "failures": self.failures, "grader": self.grader,
            "protocol": self.protocol, "approximate": self.approximate, "dense": self.dense,
            "signals": dict(self.signals),
        }


@runtime_checkable
class Grader(Protocol):
    """Anything that grades rubric requests. `approximate` is True for the offline grader so that
    every report can say its numbers came from an approximate grader."""

    name: str
    approximate: bool

    async def grade(self, requests: Sequence[GradeRequest]) -> list[GradeResult]: ...
