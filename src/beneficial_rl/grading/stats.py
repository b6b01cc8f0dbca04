"""Running counts of what a grader did, and the failure budget that stops a run.

Failures are counted, never hidden: a sample whose grading failed is excluded (score None), and
when the failed fraction passes the configured budget the run stops with a message that says what
to look at, because a reward or a metric built on a failing judge is not worth finishing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.grading.base import GradeResult


@dataclass
class GraderStats:
    requests: int = 0  # responses graded (attempted)
    scored: int = 0  # responses that got a score
    failed: int = 0  # responses excluded because grading failed (malformed after retries, endpoint errors)
    ungradeable: int = 0  # responses excluded for another reason (e.g. offline: no checkable item)
    item_failures: int = 0  # failed gradings (per item, or per batched call)
    calls: int = 0  # judge calls answered (cache hits included)
    malformed: int = 0  # malformed judge replies, including those that were retried
    retries: int = 0  # extra calls made after a malformed reply
    endpoint_errors: int = 0  # calls that raised after Inspect's own retries
    flags: Counter = field(default_factory=Counter)  # flag -> responses that raised it
    sources: Counter = field(default_factory=Counter)  # how item verdicts were decided ("logprobs", "check", ...)

    def record(self, results: Iterable[GradeResult]) -> None:
        for r in results:
            self.requests += 1
            self.item_failures += r.failures
            if r.score is not None:
                self.scored += 1
            elif r.failures:
                self.failed += 1
            else:
                self.ungradeable += 1
            self.flags.update(set(r.flags))
            self.sources.update(v.source for v in r.verdicts if v.source)

    @property
    def failure_rate(self) -> float:
        return self.failed / self.requests if self.requests else 0.0

    def check_budget(self, budget: float, minimum: int, who: str) -> None:
        """Raise a BrlError once at least `minimum` responses were graded and too many failed."""
        if self.requests >= minimum and self.failure_rate > budget:
            raise BrlError(
                f"{who}: grading failed for {self.failed} of {self.requests} responses "
                f"({self.failure_rate:.1%}), above the failure budget of {budget:.1%}. "
                f"Malformed replies: {self.malformed} (after {self.retries} retries); endpoint errors: "
                f"{self.endpoint_errors}. Check the judge endpoint and that the model follows the verdict format; "
                "raise failure_budget only if you accept excluding that many samples."
            )

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if not isinstance(v, Counter)}
        d["flags"] = dict(self.flags)
        d["sources"] = dict(self.sources)
        d["failure_rate"] = round(self.failure_rate, 6)
        return d
