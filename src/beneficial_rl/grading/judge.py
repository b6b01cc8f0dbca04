"""LLM-judge graders: rubric items (per item or batched) and the rubric-free trait judge.

The judge reasons, then ends with a JSON verdict; only that final line is parsed. Verdicts become
P(met) (logprobs or samples) or 0/1, the pure `score()` turns them into a number, and a response
that addresses the grader loses `injection_penalty`. A failed grading excludes the sample (score
None) and is counted; too many failures stop the run (see stats.py).

The trait judge sees only the trait's definition, never a per-item rubric: a policy that learned
the rubric style rather than the trait gains on rubric scores but not on this one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Literal

from beneficial_rl.errors import BrlError
from beneficial_rl.grading.base import GradeRequest, GradeResult, ItemVerdict, score
from beneficial_rl.grading.config import JudgeConfig, protocol_hash
from beneficial_rl.grading.injection import detect_injection
from beneficial_rl.grading.judge_client import Answer, JudgeClient
from beneficial_rl.grading.prompts import batched_prompt, item_prompt, trait_prompt
from beneficial_rl.grading.stats import GraderStats
from beneficial_rl.grading.verdicts import parse_batched, parse_single
from beneficial_rl.scenarios.schema import RubricItem


def _single(text: str) -> list[tuple[int, bool]]:
    return [(0, parse_single(text))]


def trait_item(request: GradeRequest) -> tuple[str, str, RubricItem]:
    """(name, definition, the one item the trait verdict is recorded under) for a request."""
    from beneficial_rl.taxonomy import traits

    known = traits()
    if request.trait in known:
        t = known[request.trait]
        name, definition = t.name, t.definition
    elif len(request.rubric) == 1:
        name, definition = request.trait or "the trait", request.rubric[0].criterion
    else:
        raise BrlError(f"request {request.id}: the trait judge needs a known trait id (got {request.trait!r})")
    return name, definition, RubricItem(criterion=f"Shows {name}: {definition}", points=1.0)


class JudgeGrader:
    """A Grader backed by an LLM judge. `kind="trait"` makes it the rubric-free trait judge."""

    approximate = False

    def __init__(self, config: JudgeConfig, model: Any | None = None, kind: Literal["rubric", "trait"] = "rubric"):
        self.config, self.kind, self.role = config, kind, config.role
        self.protocol = protocol_hash(config, kind)
        if config.expected_protocol and config.expected_protocol != self.protocol:
            raise BrlError(
                f"the {config.role} judge protocol changed: expected {config.expected_protocol[:16]}..., this "
                f"configuration and these prompt files give {self.protocol[:16]}...; results graded under different "
                "protocols are not comparable. Restore the prompts/settings or record the new protocol on purpose."
            )
        what = "trait judge" if kind == "trait" else f"judge ({config.mode})"
        self.name = f"{what} {config.model} [{config.role}, dense={config.dense}, protocol {self.protocol[:12]}]"
        self.stats = GraderStats()
        self.client = JudgeClient(config, self.protocol, self.stats, model)
        self.usage = self.client.usage  # token counts for the compute ledger

    def metadata(self) -> dict[str, Any]:
        """What a report shows about this grader."""
        return {"grader": self.name, "role": self.role, "kind": self.kind, "approximate": False,
                "protocol": self.protocol, "model": self.config.model, "mode": self.config.mode,
                "dense": self.config.dense, "stats": self.stats.as_dict(), "usage": dict(self.usage)}

    async def grade(self, requests: Sequence[GradeRequest]) -> list[GradeResult]:
        results = list(await asyncio.gather(*(self._grade(r) for r in requests)))
        self.stats.record(results)
        self.stats.check_budget(self.config.failure_budget, self.config.failure_budget_min, self.name)
        return results

    async def _grade(self, req: GradeRequest) -> GradeResult:
        if self.kind == "trait":
            name, definition, item = trait_item(req)
            items = [item]
            answers = [await self.client.ask(trait_prompt(req.messages, req.response, name, definition), _single, 1)]
            failures = sum(a.values is None for a in answers)
        elif self.config.mode == "per_item":
            items = list(req.rubric)
            answers = list(await asyncio.gather(
                *(self.client.ask(item_prompt(req.messages, req.response, i), _single, 1) for i in items)
            ))
            failures = sum(a.values is None for a in answers)
        else:  # batched: one call, so one failure at most
            items = list(req.rubric)
            n = len(items)
            one = await self.client.ask(batched_prompt(req.messages, req.response, items),
                                        lambda text: parse_batched(text, n), n) if n else Answer([])
            if one.values is None:
                answers, failures = [one] * n, 1
            else:
                answers, failures = [Answer([v], one.source, one.reasoning) for v in one.values], 0
        verdicts = [
            ItemVerdict(i.criterion, i.points, a.values[0] if a.values is not None else None,
                        a.reasoning if a.values is not None else a.error,
                        source=f"judge:{a.source}" if a.values is not None else "judge:failed")
            for i, a in zip(items, answers, strict=True)
        ]
        value = score(items, [v.met for v in verdicts]) if items else None
        flags = [] if items else ["empty_rubric"]
        injection = detect_injection(req.response, items if self.kind == "rubric" else ())
        if injection.flagged:
            flags.append("addresses_grader")
            if value is not None:
                value = max(0.0, value - self.config.injection_penalty)
        sources = sorted({a.source for a in answers if a.source})
        return GradeResult(
            id=req.id, score=value, verdicts=verdicts, flags=flags, failures=failures, grader=self.name,
            protocol=self.protocol, approximate=False, dense=",".join(sources),
            signals={"injection": injection.reasons} if injection.flagged else {},
        )
