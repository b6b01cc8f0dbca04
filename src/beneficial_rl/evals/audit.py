"""`brl evals audit`: every offline eval scored, with no model, against the degenerate-policy panel.

For each item of each offline eval, the eval's own solver chain runs with a `generate` that
returns the panel policy's reply (every generation of a multi-turn solver gets the same reply), and
every panel policy's reply (grading/degenerate.py: always
refuse, "Sure.", empty, echo, the rubric or options pasted back, a keyword bag, a hedge, an
off-topic answer, "A", "Yes", "No") is fed through the eval's own Inspect scorer, built with the
offline grader and the offline refusal classifier, exactly as `brl eval` without a judge would
score it. The eval's number for a policy is what the eval would report: the mean over graded
samples (excluded samples are not zeros).

The audit fails when
- an eval declares no chance level (`EvalInfo.chance`);
- a policy scores above chance + MARGIN on an eval that does not declare it as a supposed win
  (`EvalInfo.degenerate_wins`, policy -> paired eval);
- a declared win's paired eval does not catch the policy (scores it above the paired eval's chance),
  or the paired eval was not audited in the same run;
- an eval cannot be built or scored.

Evals whose number needs a judge (`offline_scoring == "needs_judge"`) are listed as "needs a judge"
and evals whose data is not available offline as "needs data"; neither is scored.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from beneficial_rl.evals.registry import EvalInfo
from beneficial_rl.evals.suite import select
from beneficial_rl.grading.degenerate import POLICIES, PanelContext, responses

MARGIN = 0.1  # a policy "beats chance" above chance + MARGIN
CONCURRENCY = 8  # scorers awaited at once (the sandboxed code eval runs subprocesses)


@dataclass
class EvalAudit:
    id: str
    status: str  # "audited", "needs a judge", "needs data", "error"
    chance: float | None = None
    items: int = 0
    scores: dict[str, float] = field(default_factory=dict)  # policy -> the eval's mean
    graded: dict[str, int] = field(default_factory=dict)  # policy -> samples not excluded
    wins: dict[str, str] = field(default_factory=dict)  # declared degenerate wins (policy -> paired eval)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def beats(self, policy: str) -> bool:
        s = self.scores.get(policy, math.nan)
        return self.chance is not None and not math.isnan(s) and s > self.chance + MARGIN

    def catches(self, policy: str) -> bool:
        """This eval scores the policy at or below its chance level."""
        s = self.scores.get(policy, math.nan)
        return self.chance is not None and not math.isnan(s) and s <= self.chance + 1e-9

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "chance": self.chance, "items": self.items,
                "scores": {p: (None if math.isnan(v) else round(v, 4)) for p, v in self.scores.items()},
                "graded": self.graded, "degenerate_wins": self.wins, "failures": self.failures,
                "seconds": round(self.seconds, 2)}


def audit_context():
    """The offline scoring machinery every audited eval shares, built once."""
    from beneficial_rl.evals.context import build_context

    return build_context("offline")


def _state(sample: Any, name: str):
    from inspect_ai.model import ChatMessageUser
    from inspect_ai.solver import TaskState

    msgs = list(sample.input) if not isinstance(sample.input, str) else [ChatMessageUser(content=sample.input)]
    return TaskState(model=name, sample_id=sample.id, epoch=1, input=sample.input, messages=msgs,
                     target=_target(sample), metadata=dict(sample.metadata or {}))


def _panel_generate(reply: str, name: str):
    """Inspect's `generate` for a solver chain, answering every call with the panel reply."""
    from inspect_ai.model import ModelOutput

    async def generate(state: Any, *args: Any, **kwargs: Any):
        state.output = ModelOutput.from_content(model=name, content=reply)
        state.messages.append(state.output.message)
        return state

    return generate


def _target(sample: Any):
    from inspect_ai.scorer import Target

    return Target(sample.target if sample.target is not None else "")


def panel_context(sample: Any) -> PanelContext:
    """What a trivial policy could see for this sample: the user's last turn, the rubric criteria,
    the answer options (metadata `options`, set by every multiple-choice eval)."""
    if isinstance(sample.input, str):
        user = sample.input
    else:
        user = next((m.text for m in reversed(sample.input) if m.role == "user"), "")
    meta = sample.metadata or {}
    criteria = [r["criterion"] for r in meta.get("rubric") or [] if isinstance(r, dict) and "criterion" in r]
    return PanelContext(user_text=user, criteria=criteria, options=list(meta.get("options") or []))


async def _score_eval(info: EvalInfo, ctx: Any, limit: int | None, policies: Sequence[str]) -> EvalAudit:
    out = EvalAudit(info.id, "audited", chance=info.chance, wins=dict(info.degenerate_wins))
    t0 = time.perf_counter()
    try:
        task = info.factory(ctx)
        samples = list(task.dataset)[:limit] if limit else list(task.dataset)
        scorers = task.scorer if isinstance(task.scorer, list) else [task.scorer]
        scorer = scorers[0]
        solver = task.solver  # the eval's own solver chain (system prompts, belief elicitation, ...)
    except Exception as e:  # noqa: BLE001 - any build failure is an audit failure, reported by name
        out.status = "error"
        out.failures.append(f"cannot build: {type(e).__name__}: {e}")
        return out
    out.items = len(samples)
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(sample: Any, policy: str, reply: str) -> float:
        name = f"panel/{policy}"
        async with sem:
            state = await solver(_state(sample, name), _panel_generate(reply, name))
            score = await scorer(state, _target(sample))
        return float(score.value)

    replies = [(s, responses(panel_context(s))) for s in samples]
    for policy in policies:
        try:
            vals = await asyncio.gather(*(one(s, policy, r[policy]) for s, r in replies))
        except Exception as e:  # noqa: BLE001
            out.status = "error"
            out.failures.append(f"{policy}: scorer raised {type(e).__name__}: {e}")
            continue
        graded = [v for v in vals if not math.isnan(v)]
        out.graded[policy] = len(graded)
        out.scores[policy] = sum(graded) / len(graded) if graded else math.nan
    out.seconds = time.perf_counter() - t0
    return out


def _status(info: EvalInfo) -> str | None:
    if not info.offline:
        return "needs data"
    if info.scoring_offline == "needs_judge":
        return "needs a judge"
    return None


def run_audit(names: Sequence[str] | None = None, limit: int | None = None,
              policies: Sequence[str] = POLICIES, ctx: Any = None) -> list[EvalAudit]:
    """Audit the named evals (default: every registered eval) and apply the failure rules."""
    evals = select(None, list(names) if names else None)
    ctx = ctx or audit_context()
    results: dict[str, EvalAudit] = {}
    for info in evals:
        skip = _status(info)
        if skip:
            results[info.id] = EvalAudit(info.id, skip, chance=info.chance, wins=dict(info.degenerate_wins))
            continue
        results[info.id] = asyncio.run(_score_eval(info, ctx, limit, policies))
    for info in evals:
        _judge_rules(results[info.id], results)
    return list(results.values())


def _judge_rules(a: EvalAudit, all_: dict[str, EvalAudit]) -> None:
    if a.status != "audited":
        return
    if a.chance is None:
        a.failures.append("no chance level declared (EvalInfo.chance)")
        return
    for policy in a.scores:
        if not a.beats(policy):
            continue
        paired = a.wins.get(policy)
        got = f"{policy} scores {a.scores[policy]:.3f} > chance {a.chance:.2f} + {MARGIN}"
        if paired is None:
            a.failures.append(got)
        elif paired not in all_ or all_[paired].status != "audited":
            a.failures.append(f"{got}; its paired eval {paired} was not audited in this run")
        elif not all_[paired].catches(policy):
            p = all_[paired]
            a.failures.append(f"{got}; its paired eval {paired} does not catch it "
                              f"({p.scores.get(policy, math.nan):.3f} > chance {p.chance})")


def failed(results: Sequence[EvalAudit]) -> list[EvalAudit]:
    return [a for a in results if a.failures]


def _cell(a: EvalAudit, policy: str) -> str:
    s = a.scores.get(policy)
    if s is None:
        return ""
    if math.isnan(s):
        return "excl."
    mark = ""
    if a.beats(policy):
        mark = "*" if policy in a.wins and not a.failures else " !"
    return f"{s:.2f}{mark}"


def markdown_table(results: Sequence[EvalAudit], policies: Sequence[str] = POLICIES,
                   command: str = "brl evals audit") -> str:
    audited = [a for a in results if a.status in ("audited", "error")]
    lines = [
        "# Degenerate-policy audit",
        "",
        f"Generated by `{command}` (no model: every panel reply of grading/degenerate.py is scored by the",
        "eval's own scorer with the offline grader and offline refusal classifier). A cell is the eval's mean",
        f"over graded samples; `!` marks a policy above chance + {MARGIN} (a failure), `*` a declared win whose",
        "paired eval catches the policy, `excl.` a policy whose every sample was excluded (never scored).",
        "",
        "| eval | n | chance | " + " | ".join(policies) + " | result |",
        "|---|---|---|" + "---|" * len(policies) + "---|",
    ]
    for a in audited:
        chance = "?" if a.chance is None else f"{a.chance:.2f}"
        result = "FAIL: " + "; ".join(a.failures) if a.failures else "pass"
        if a.wins and not a.failures:
            result += " (" + ", ".join(f"{p} caught by {e}" for p, e in a.wins.items() if a.beats(p)) + ")"
            result = result.replace(" ()", "")
        lines.append(f"| {a.id} | {a.items} | {chance} | " + " | ".join(_cell(a, p) for p in policies)
                     + f" | {result} |")
    skipped = [a for a in results if a.status in ("needs a judge", "needs data")]
    if skipped:
        lines += ["", "Not audited offline:", ""]
        lines += [f"- {a.id}: {a.status}" for a in skipped]
    n_fail = len(failed(results))
    lines += ["", f"{len(audited)} evals audited, {len(skipped)} not audited offline, {n_fail} failing.", ""]
    return "\n".join(lines)
