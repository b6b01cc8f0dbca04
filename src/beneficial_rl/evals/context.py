"""What every eval's scorer may need, built once per `brl eval` run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beneficial_rl.grading.base import Grader


@dataclass
class EvalContext:
    """Shared scoring machinery for one evaluation run.

    `grader` is the *eval* judge (frozen protocol, never used for training decisions) or the
    offline grader when no judge is configured; `grader.approximate` says which, and every result
    records `judge`. `refusal` is the refusal classifier recorded on every sample, which the
    report's refusal-controlled analysis needs.
    """

    grader: Grader
    refusal: Any  # grading.refusal.RefusalClassifier
    trait_grader: Grader | None = None  # rubric-free trait judge
    max_tokens: int = 256
    sandbox_timeout_s: float = 10.0
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def judge(self) -> str:
        return self.grader.name
