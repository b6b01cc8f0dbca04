"""The reward router: dispatch by source, None for grading failures, exact counters, samples."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from training_helpers import ScriptedGrader, make_scenarios

from beneficial_rl.errors import BrlError
from beneficial_rl.training.config import TrainConfig
from beneficial_rl.training.ledger import RunStats
from beneficial_rl.training.mixture import build_mixture
from beneficial_rl.training.rewards import RewardRouter
from beneficial_rl.utils.io import read_jsonl


def batch(rows: list[dict], texts: list[str], g: int = 2) -> dict:
    """What TRL hands the reward function: each row repeated g times, columns as lists."""
    rep = [r for r in rows for _ in range(g)]
    cols = {k: [r[k] for r in rep] for k in ("source", "task", "reward_kind", "target", "row", "item_id", "trait",
                                             "prompt_tokens", "domain")}
    return {"prompts": [r["prompt"] for r in rep], "completions": [[{"role": "assistant", "content": t}] for t in texts],
            "completion_ids": [[1] * (len(t.split()) + 1) for t in texts], **cols}


@pytest.fixture
def rows() -> list[dict]:
    cfg = TrainConfig(trait_fraction=0.5, seed=1)
    m = build_mixture(cfg, cfg.arm("beneficial"), make_scenarios(), 40, lambda msgs: 30)
    trait = next(r for r in m.rows if r["source"] == "trait")
    math_row = next(r for r in m.rows if r["reward_kind"] == "math")
    return [trait, math_row]


def test_routes_trait_to_grader_and_standard_to_verifier(rows, tmp_path) -> None:
    grader = ScriptedGrader(lambda r: 0.25 if "risk" in r.response else None)
    stats = RunStats()
    logged: dict[str, float] = {}
    router = RewardRouter(grader, stats, tmp_path / "samples", sample_every=5)
    answer = json.loads(rows[1]["target"])
    texts = ["the risk is real", "no idea", f"Answer: {answer}", "Answer: -99999"]
    out = router(**batch(rows, texts), trainer_state=SimpleNamespace(global_step=4),
                 log_metric=lambda k, v: logged.__setitem__(k, v))
    assert out == [0.25, None, 1.0, 0.1]
    # the grader saw the scenario's own rubric and its trait, and only the trait completions
    assert [r.response for r in grader.requests] == texts[:2]
    assert grader.requests[0].trait == rows[0]["trait"]
    assert [i.criterion for i in grader.requests[0].rubric] == [i["criterion"] for i in json.loads(rows[0]["target"])]
    # counters: 2 prompts, 4 completions, 1 unscored; per-source metrics went to TRL's log_metric
    assert (stats.prompts, stats.completions, stats.judge_calls, stats.judge_unscored) == (2, 4, 2, 1)
    assert stats.prompt_tokens == 4 * 30
    assert stats.padded_tokens == 4 * (30 + 5)  # the longest completion ("the risk is real") has 5 ids
    assert stats.judge_input_tokens == sum(len(t) + 10 for t in texts[:2])
    assert logged["brl/trait_slice_frac"] == 0.5 and logged["brl/trait/reward_mean"] == 0.25
    assert logged["brl/standard/zero_std_frac"] == 0.0 and "brl/trait/zero_std_frac" not in logged
    assert stats.pop_step(5)["prompts_by_source"] == {"trait": 1, "standard": 1}
    (sample_file,) = (tmp_path / "samples").iterdir()
    assert sample_file.name == "step_00005.jsonl"
    assert [s["completion"] for s in read_jsonl(sample_file)] == texts


def test_zero_variance_groups_are_counted(rows) -> None:
    stats = RunStats()
    RewardRouter(ScriptedGrader(lambda r: 0.5), stats)(**batch(rows, ["a", "b", "Answer: 1", "Answer: 2"]))
    assert stats.by_source["trait"]["zero_std_groups"] == 1
    assert stats.by_task[rows[1]["task"]]["zero_std_groups"] == 1  # both wrong but formatted: 0.1 and 0.1


def test_missing_grader_and_misordered_results_are_errors(rows) -> None:
    with pytest.raises(BrlError, match="no reward grader"):
        RewardRouter(None, RunStats())(**batch(rows, ["a", "b", "c", "d"]))

    class Shuffled(ScriptedGrader):
        async def grade(self, requests):
            return list(reversed(await super().grade(requests)))

    with pytest.raises(BrlError, match="one to one"):
        RewardRouter(Shuffled(), RunStats())(**batch(rows, ["a", "b", "c", "d"]))
