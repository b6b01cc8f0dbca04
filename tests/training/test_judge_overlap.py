"""Judge latency is hidden: grading starts when a batch's completions are decoded (before TRL calls
the reward function), the verifiers run while the judge answers, and early results are only used
for the batch they were started for."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from training_helpers import ScriptedGrader, make_scenarios, tiny_config

from beneficial_rl.training.ledger import RunStats
from beneficial_rl.training.rewards import RewardRouter


class SlowGrader(ScriptedGrader):
    """Answers after `latency` seconds per batch (as a concurrent judge would)."""

    def __init__(self, latency: float):
        super().__init__()
        self.latency = latency
        self.batches = 0

    async def grade(self, requests):
        self.batches += 1
        await asyncio.sleep(self.latency)
        return await super().grade(requests)


def _batch(n: int = 4):
    sc = make_scenarios(1)[0]
    target = json.dumps([r.model_dump(mode="json") for r in sc.rubric])
    inputs = [{"prompt": sc.chat(), "source": "trait" if i % 2 else "standard", "task": "t",
               "reward_kind": "rubric" if i % 2 else "math", "target": target if i % 2 else json.dumps("4"),
               "row": i // 2, "item_id": sc.id, "trait": sc.trait, "prompt_tokens": 5} for i in range(n)]
    completions = [[{"role": "assistant", "content": f"Answer: 4, risk {i}"}] for i in range(n)]
    cols = {k: [x[k] for x in inputs] for k in inputs[0] if k != "prompt"}
    return [x["prompt"] for x in inputs], completions, inputs, cols


def _warm(prompts, completions, cols) -> None:
    """Import the verifiers and start the grading loop, so timings see only grading."""
    RewardRouter(ScriptedGrader(), RunStats())(prompts, completions, [[1]] * len(prompts), **cols)


def test_early_start_is_used_and_hides_the_latency() -> None:
    prompts, completions, inputs, cols = _batch()
    _warm(prompts, completions, cols)
    grader = SlowGrader(0.3)
    router = RewardRouter(grader, RunStats())
    router.start(prompts, completions, inputs)
    time.sleep(0.4)  # the trainer's old/reference log-prob passes would run here
    t = time.perf_counter()
    rewards = router(prompts, completions, [[1, 2]] * 4, **cols)
    assert time.perf_counter() - t < 0.2  # the judge's 0.3 s were spent before the reward call
    assert grader.batches == 1 and len(grader.requests) == 2  # graded once, rubric rows only
    assert rewards[0] == 1.0 and rewards[2] == 1.0  # arithmetic verified in the reward call
    assert rewards[1] is not None and rewards[3] is not None


def test_reward_matches_a_router_without_early_start() -> None:
    prompts, completions, inputs, cols = _batch()
    early = RewardRouter(ScriptedGrader(), RunStats())
    early.start(prompts, completions, inputs)
    late = RewardRouter(ScriptedGrader(), RunStats())
    assert early(prompts, completions, [[1]] * 4, **cols) == late(prompts, completions, [[1]] * 4, **cols)
    assert early.stats.to_dict() == late.stats.to_dict()


def test_an_early_start_for_another_batch_is_not_used() -> None:
    prompts, completions, inputs, cols = _batch()
    grader = SlowGrader(0.01)
    router = RewardRouter(grader, RunStats())
    other = [[{"role": "assistant", "content": "something else"}]] * 4
    router.start(prompts, other, inputs)
    rewards = router(prompts, completions, [[1]] * 4, **cols)
    assert grader.batches == 2  # regraded for the batch that was actually scored
    assert [r.response for r in grader.requests[-2:]] == ["Answer: 4, risk 1", "Answer: 4, risk 3"]
    assert rewards == RewardRouter(ScriptedGrader(), RunStats())(prompts, completions, [[1]] * 4, **cols)


def test_verifiers_run_while_the_judge_answers(monkeypatch) -> None:
    import beneficial_rl.training.rewards as rewards_mod

    prompts, completions, _, cols = _batch()
    _warm(prompts, completions, cols)
    real = rewards_mod.verify

    def slow_verify(*a, **k):
        time.sleep(0.15)
        return real(*a, **k)

    monkeypatch.setattr(rewards_mod, "verify", slow_verify)
    router = RewardRouter(SlowGrader(0.3), RunStats())
    t = time.perf_counter()
    router(prompts, completions, [[1]] * 4, **cols)
    took = time.perf_counter() - t
    assert took < 0.3 + 2 * 0.15 - 0.1  # overlapped, not 0.3 s of judge then 0.3 s of verifiers


@pytest.mark.slow
def test_training_starts_grading_before_the_reward_call(tiny_model_path, tmp_path) -> None:
    """In a real train(), every generation round's grading starts from the hook on TRL's _generate."""
    from beneficial_rl.training.runner import prepare

    cfg = tiny_config(tiny_model_path, steps=2, trait_fraction=0.5, standard_data=[{"kind": "helpfulness"}])
    grader = SlowGrader(0.05)
    p = prepare(cfg, "beneficial", tmp_path / "arm", grader, scenarios=make_scenarios())
    router = p.trainer.reward_funcs[0]
    p.trainer.train()
    assert router.early_starts == 2 and grader.batches == 2  # one per step, never graded twice
    assert p.stats.judge_calls == len(grader.requests) == 2 * 8
