"""One reward function with TRL's signature that routes each sample by its `source` column.

    trait     -> the reward judge with the scenario's own rubric
    control   -> the reward judge with the generic helpfulness rubric (same conversations)
    standard  -> the exact verifier (math, constraints), or the judge for rubric-graded prompts

A grading failure returns None, which TRL turns into NaN: the completion is left out of its group's
baseline and gets zero advantage (trl GRPOTrainer._generate_and_score_completions), rather than
being scored 0 or 1. The router also feeds the compute ledger and the per-source metrics (reward
means, share of zero-variance groups, judge failures) and writes sampled completions to disk.

Judge latency is hidden where it can be: `attach(trainer)` starts grading a batch's rubric rows the
moment TRL has decoded its completions, so judge calls run while the trainer computes old and
reference log-probs and pads tensors; and inside the reward call the exact verifiers (math, code
sandbox, constraints) run while the judge's answers are in flight. The judge's own concurrency is
bounded by the grading package (JudgeConfig.max_connections).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.grading.base import Grader, GradeRequest, GradeResult
from beneficial_rl.scenarios.schema import RubricItem
from beneficial_rl.training.ledger import RunStats
from beneficial_rl.training.tasks import verify
from beneficial_rl.utils.io import atomic_write_jsonl


def completion_text(completion: Any) -> str:
    """TRL passes conversational completions as [{'role': 'assistant', 'content': ...}]."""
    if isinstance(completion, str):
        return completion
    return "".join(m.get("content") or "" for m in completion if isinstance(m, Mapping))


def _gather(obj: list[Any]) -> list[Any]:
    from accelerate.utils import gather_object

    return gather_object(obj)


def _counters(grader: Any) -> dict[str, int | None]:
    """What the grader itself counts, where it does: model calls (`stats.calls`, as the project's
    graders keep it) and token usage (`usage = {'input_tokens': ..., 'output_tokens': ...}`)."""
    usage = getattr(grader, "usage", None)
    usage = usage if isinstance(usage, Mapping) else {}
    calls = getattr(getattr(grader, "stats", None), "calls", None)
    return {"model_calls": calls if isinstance(calls, int) else None,
            "input_tokens": usage.get("input_tokens"), "output_tokens": usage.get("output_tokens")}


class RewardRouter:
    """The reward function handed to GRPOTrainer. Synchronous on purpose: the cross-process gathers
    below must happen in the training thread at the same point on every process. Grading itself
    runs in one worker thread (which blocks on the grading package's shared event loop; Inspect
    clients stay bound to one loop), so it can start before TRL calls the reward function and
    overlap with the verifiers once it does."""

    __name__ = "brl_reward"  # TRL names reward metrics after this

    def __init__(self, grader: Grader | None, stats: RunStats, samples_dir: str | Path | None = None,
                 sample_every: int = 10, is_main_process: bool = True):
        self.grader = grader
        self.stats = stats
        self.samples_dir = Path(samples_dir) if samples_dir else None
        self.sample_every = sample_every
        self.is_main = is_main_process
        self.early_starts = 0  # batches whose grading started before the reward call (see attach)
        self._pool: ThreadPoolExecutor | None = None
        self._inputs: list[dict[str, Any]] | None = None
        self._early: tuple[list[tuple[str, str]], dict[str, int | None], Future] | None = None

    def _grade(self, requests: list[GradeRequest]) -> list[GradeResult]:
        from beneficial_rl.grading.factory import grade_blocking

        if self.grader is None:
            raise BrlError("this mixture has rubric-graded prompts but no reward grader was given")
        results = grade_blocking(self.grader, requests)
        if [r.id for r in results] != [q.id for q in requests]:
            raise BrlError(f"grader {getattr(self.grader, 'name', self.grader)!r} returned results that do not "
                           "match the requests one to one, in order")
        return results

    def _submit(self, requests: list[GradeRequest]) -> tuple[dict[str, int | None], Future]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brl-reward-grading")
        return _counters(self.grader), self._pool.submit(self._grade, requests)

    @staticmethod
    def _requests(prompts: Sequence[Any], texts: Sequence[str], judged: Sequence[int], source: Sequence[str],
                  target: Sequence[str], row: Sequence[int], trait: Sequence[str]) -> list[GradeRequest]:
        return [
            GradeRequest(id=f"{row[i]}:{i}", messages=list(prompts[i]), response=texts[i],
                         rubric=[RubricItem.model_validate(r) for r in json.loads(target[i])],
                         trait=(trait[i] or None) if source[i] == "trait" else None)  # control: generic only
            for i in judged
        ]

    def start(self, prompts: Sequence[Any], completions: Sequence[Any], inputs: Sequence[Mapping[str, Any]]) -> None:
        """Start grading the rubric rows of a freshly generated batch without waiting for the answers;
        the reward call for the same batch picks them up (and grades anew if the batch differs)."""
        self._finish_early()
        judged = [i for i, x in enumerate(inputs) if x.get("reward_kind") == "rubric"]
        if not judged or self.grader is None or len(inputs) != len(completions):
            return
        texts = [completion_text(c) for c in completions]
        col = {k: [x[k] for x in inputs] for k in ("source", "target", "row", "trait")}
        requests = self._requests(prompts, texts, judged, col["source"], col["target"], col["row"], col["trait"])
        before, future = self._submit(requests)
        self._early = ([(q.id, q.response) for q in requests], before, future)
        self.early_starts += 1

    def _finish_early(self) -> None:
        """Drop an early grading nobody claimed (after letting it finish, so counters stay consistent)."""
        if self._early is not None:
            self._early[2].exception()
            self._early = None

    def attach(self, trainer: Any) -> None:
        """Start each batch's grading right after TRL's `_generate` has decoded its completions (TRL
        itself calls reward functions only after the old/reference log-prob passes). Wraps two of the
        trainer's methods on this instance; trl is pinned to 1.16 (pyproject.toml) for their shape,
        and tests/training/test_judge_overlap.py fails if the early start stops happening."""
        score, generate = trainer._generate_and_score_completions, trainer._generate

        def generate_and_score(inputs: list[dict[str, Any]]) -> Any:
            self._inputs = inputs
            try:
                return score(inputs)
            finally:
                self._inputs = None

        def generate_then_grade(prompts: list[Any]) -> Any:
            out = generate(prompts)
            if self._inputs is not None and trainer.model.training:
                self.start(prompts, out[3], self._inputs)
            return out

        trainer._generate_and_score_completions = generate_and_score
        trainer._generate = generate_then_grade

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], completion_ids: Sequence[Sequence[int]],
                 *, source: Sequence[str], task: Sequence[str], reward_kind: Sequence[str], target: Sequence[str],
                 row: Sequence[int], item_id: Sequence[str], trait: Sequence[str], prompt_tokens: Sequence[int],
                 trainer_state: Any = None, log_metric: Any = None, **_: Any) -> list[float | None]:
        texts = [completion_text(c) for c in completions]
        rewards: list[float | None] = [None] * len(texts)
        judged = [i for i, kind in enumerate(reward_kind) if kind == "rubric"]
        judge: dict[str, Any] = {"calls": len(judged), "unscored": 0, "failures": 0, "malformed": 0, "flags": {},
                                 "model_calls": None, "input_tokens": None, "output_tokens": None}
        pending = None
        if judged:
            requests = self._requests(prompts, texts, judged, source, target, row, trait)
            early, self._early = self._early, None
            if early is not None and early[0] == [(q.id, q.response) for q in requests]:
                pending = early[1:]
            else:
                if early is not None:
                    early[2].exception()
                pending = self._submit(requests)
        for i, kind in enumerate(reward_kind):  # the verifiers run while the judge's answers are in flight
            if kind != "rubric":
                rewards[i] = verify(kind, texts[i], json.loads(target[i]))
        if pending is not None:
            before, future = pending
            for i, result in zip(judged, future.result(), strict=True):
                rewards[i] = result.score
                judge["unscored"] += result.score is None
                judge["failures"] += result.score is None and result.failures > 0
                judge["malformed"] += result.failures
                for flag in result.flags:
                    judge["flags"][flag] = judge["flags"].get(flag, 0) + 1
            after = _counters(self.grader)
            for k, b in before.items():
                judge[k] = after[k] - b if after[k] is not None and b is not None else None

        local = [
            {"row": row[i], "source": source[i], "task": task[i], "item_id": item_id[i], "reward": rewards[i],
             "prompt_tokens": prompt_tokens[i], "completion_tokens": len(completion_ids[i])}
            for i in range(len(texts))
        ]
        # The tensors TRL builds for this process: prompts left-padded to the longest prompt,
        # completions right-padded to the longest completion.
        padded = len(texts) * (max(prompt_tokens) + max(len(c) for c in completion_ids))
        samples = _gather(local)
        padded_all = sum(_gather([padded]))
        judge_all = _gather([judge])
        merged: dict[str, Any] = {k: sum(j[k] for j in judge_all) for k in ("calls", "unscored", "failures", "malformed")}
        merged["flags"] = {}
        for k in ("model_calls", "input_tokens", "output_tokens"):
            vals = [j.get(k) for j in judge_all if j["calls"]]
            merged[k] = sum(vals) if vals and all(v is not None for v in vals) else None
        for j in judge_all:
            for flag, n in j["flags"].items():
                merged["flags"][flag] = merged["flags"].get(flag, 0) + n

        step = (trainer_state.global_step if trainer_state is not None else self.stats.steps) + 1
        metrics = self.stats.record(step, samples, padded_all, merged)
        if log_metric is not None:
            for name, value in metrics.items():
                log_metric(name, float(value))
        if self.samples_dir is not None and (step == 1 or step % self.sample_every == 0):
            self._write_samples(step, prompts, texts, local)
        return rewards

    def _write_samples(self, step: int, prompts: Sequence[Any], texts: list[str], local: list[dict]) -> None:
        rows = [{**meta, "step": step, "prompt": prompts[i], "completion": texts[i]} for i, meta in enumerate(local)]
        everything = _gather(rows)
        if self.is_main:
            atomic_write_jsonl(self.samples_dir / f"step_{step:05d}.jsonl", everything)
