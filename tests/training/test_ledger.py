"""Ledger arithmetic and the compute-match decision."""

from __future__ import annotations

import copy

import pytest

from beneficial_rl.training.ledger import RunStats, build_ledger, check_compute_match

SHAPE = {"num_generations": 2, "per_device_train_batch_size": 8, "num_iterations": 1, "max_prompt_length": 100,
         "max_completion_length": 20, "reference_pass": False, "old_logprob_pass": False}


def ledger(prompt_tokens: int, completion_tokens: int, completions: int = 16, padded: int = 1500, steps: int = 2,
           shape: dict | None = None, metric: str = "budget") -> dict:
    stats = RunStats(steps=steps, prompts=completions // 2, completions=completions, prompt_tokens=prompt_tokens,
                     completion_tokens=completion_tokens, padded_tokens=padded)
    return build_ledger(stats, arm="a", model="m", n_params=1000, n_trainable=1000, shape=shape or SHAPE,
                        grader={"name": "g", "approximate": True}, mixture={}, metric=metric)


def test_flops_follow_the_stated_formulas() -> None:
    led = ledger(800, 200, padded=1500)
    assert led["tokens"] == {"prompt": 800, "generated": 200, "realized": 1000, "padded": 1500,
                             "budget": 16 * 120, "trained": 1500, "trl_num_input_tokens_seen": 0}
    assert led["flops"]["training"] == 6 * 1000 * 1500
    assert led["flops"]["generation"] == 2 * 1000 * 1000
    assert led["flops"]["scoring"] == 0
    assert led["policy_compute"]["budget_flops"] == 1000 * 16 * 120 * 8
    with_ref = ledger(800, 200, shape={**SHAPE, "reference_pass": True})
    assert with_ref["flops"]["scoring"] == 2 * 1000 * 1500


def test_matched_arms_are_labelled_and_realized_difference_reported() -> None:
    m = check_compute_match({"beneficial": ledger(900, 210), "baseline": ledger(800, 200)}, tolerance=0.02)
    assert m.matched and m.label == "compute-matched" and m.rel_diff == 0.0
    assert m.rel_diff_by_metric["realized"] == pytest.approx(1 - 1000 / 1110)
    assert "realized tokens differ by 9.91%" in m.message


def test_unmatched_arms_are_refused_the_label_and_told_why() -> None:
    short = ledger(800, 200, completions=15, steps=2, shape={**SHAPE, "per_device_train_batch_size": 6})
    m = check_compute_match({"beneficial": ledger(800, 200), "baseline": short}, tolerance=0.02)
    assert not m.matched and m.label == "not compute-matched"
    assert m.rel_diff == pytest.approx(1 / 16)
    assert "differs by 6.25%" in m.message and "per_device_train_batch_size" in m.message
    # a stricter metric can be asked for: realized tokens differ by 10% here
    realized = check_compute_match({"a": ledger(900, 210), "b": ledger(800, 200)}, 0.02, metric="realized")
    assert not realized.matched


def test_within_tolerance_edge_and_errors() -> None:
    a = ledger(800, 200, completions=100)
    b = copy.deepcopy(a)
    b["policy_compute"]["budget_flops"] *= 0.985
    assert check_compute_match({"a": a, "b": b}, tolerance=0.02).matched
    assert not check_compute_match({"a": a, "b": b}, tolerance=0.01).matched
    with pytest.raises(ValueError):
        check_compute_match({"a": a})


def test_run_stats_round_trip() -> None:
    s = RunStats(steps=3, completions=12, judge_flags={"x": 1}, by_source={"trait": {"prompts": 1}})
    s.pending[4] = {"prompts": 1}
    back = RunStats.from_dict(s.to_dict())
    assert back.to_dict() == s.to_dict() and back.pending == {}
