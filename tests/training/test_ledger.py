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
    assert "realized tokens by 9.91%" in m.message


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


def _sample(row: int, source: str, reward: float | None, tokens: int = 10) -> dict:
    return {"row": row, "source": source, "task": source, "reward": reward, "prompt_tokens": 5,
            "completion_tokens": tokens}


def test_dead_groups_are_counted_per_source_and_dropped_ones_stay_in_the_compute() -> None:
    samples = ([_sample(0, "trait", 0.5), _sample(0, "trait", 0.5)]  # dead: equal rewards
               + [_sample(1, "standard", 1.0), _sample(1, "standard", 0.0)]  # live
               + [_sample(2, "standard", None), _sample(2, "standard", 1.0)]  # dead: one scored reward
               + [_sample(3, "trait", 1.0, tokens=7), _sample(3, "trait", 0.0, tokens=7)])  # live
    keep, drop = RunStats(), RunStats(drop_dead=True)
    for s in (keep, drop):
        metrics = s.record(1, samples, padded_tokens=120, judge={})
        assert s.last_dead_rows == frozenset({0, 2})
        assert s.pending[1]["dead_groups_by_source"] == {"trait": {"dead": 1, "groups": 2},
                                                         "standard": {"dead": 1, "groups": 2}}
        assert metrics["brl/trait/zero_std_frac"] == 0.5
    assert (keep.dead_groups, keep.dead_completions, keep.dropped_completions) == (2, 4, 0)
    assert (drop.dropped_groups, drop.dropped_completions, drop.dropped_completion_tokens) == (2, 4, 40)
    # dropping changes the loss, not the compute: every token figure is identical
    a = build_ledger(keep, arm="k", model="m", n_params=10, n_trainable=10, shape=SHAPE, grader={}, mixture={},
                     metric="padded")
    b = build_ledger(drop, arm="d", model="m", n_params=10, n_trainable=10, shape={**SHAPE, "dead_groups": "drop"},
                     grader={}, mixture={}, metric="padded")
    assert a["tokens"] == b["tokens"] and a["flops"] == b["flops"]
    assert b["dead_groups"]["mode"] == "drop" and b["dead_groups"]["dropped_share_of_completions"] == 0.5
    assert a["dead_groups"]["dropped_completions"] == 0 and a["dead_groups"]["dead_group_frac"] == 0.5
    assert b["dead_groups"]["zero_std_group_frac_by_source"] == {"standard": 0.0, "trait": 0.5}
    assert "drop_dead" not in drop.to_dict() and RunStats.from_dict(drop.to_dict()).dropped_completions == 4


def test_drop_masks_only_dead_groups_and_recounts_the_loss_tokens() -> None:
    import torch

    from beneficial_rl.training.runner import drop_dead_groups

    out = {"completion_mask": torch.tensor([[1, 1, 0], [1, 0, 0], [1, 1, 1], [1, 1, 0]]),
           "num_items_in_batch": torch.tensor(9)}
    res = drop_dead_groups(out, rows=[0, 0, 1, 1], dead=frozenset({0}), gather=lambda t: t.reshape(1))
    assert res["completion_mask"].tolist() == [[0, 0, 0], [0, 0, 0], [1, 1, 1], [1, 1, 0]]
    assert int(res["num_items_in_batch"]) == 5


def test_repetition_is_reported_as_epochs_per_scenario() -> None:
    stats = RunStats(steps=1, prompts=100, completions=200)
    mixture = {"trait_slice_rows": 160, "trait_scenarios_eligible": 32, "trait_scenarios_used": 32,
               "by_domain": {"health": 160}, "eligible_by_domain": {"health": 32}}
    led = build_ledger(stats, arm="health_only", model="m", n_params=1, n_trainable=1, shape=SHAPE, grader={},
                       mixture=mixture, metric="budget")
    rep = led["trait_slice"]["repetition"]
    assert rep["epochs_per_scenario"] == 5.0 and rep["by_domain"] == {"health": {"rows": 160, "scenarios": 32,
                                                                                 "epochs": 5.0}}


def test_a_dead_trait_slice_warns_after_n_steps_in_a_row(tmp_path) -> None:
    from types import SimpleNamespace

    from beneficial_rl.training.callbacks import LedgerCallback

    stats, said = RunStats(), []
    cb = LedgerCallback(stats, tmp_path / "log.jsonl", dead_warn_steps=3, warn=said.append)
    dead = {"trait": {"dead": 1, "groups": 1}, "standard": {"dead": 0, "groups": 3}}
    live = {"trait": {"dead": 0, "groups": 1}}
    none = {"standard": {"dead": 3, "groups": 3}}  # no trait groups this step: neither extends nor breaks
    for step, by_source in enumerate([dead, dead, live, dead, none, dead, dead, dead], start=1):
        stats.pending[step] = {"dead_groups_by_source": by_source}
        cb.on_log(None, SimpleNamespace(global_step=step, num_input_tokens_seen=0), None, logs={"loss": 0.0})
    assert len(said) == 1 and "steps 4-7" in said[0]
    assert stats.trait_dead_streaks == [{"start": 4, "steps": 3}]
    rows = [__import__("json").loads(x) for x in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "warning" in r] == [7]
    off = LedgerCallback(RunStats(), tmp_path / "off.jsonl", dead_warn_steps=0, warn=said.append)
    for step in range(1, 6):
        off.stats.pending[step] = {"dead_groups_by_source": dead}
        off.on_log(None, SimpleNamespace(global_step=step, num_input_tokens_seen=0), None, logs={})
    assert len(said) == 1


def test_dead_groups_and_repetition_reach_the_report() -> None:
    from beneficial_rl.analysis.collect import _ledger_row
    from beneficial_rl.analysis.report import _compute

    stats = RunStats(drop_dead=True)
    stats.record(1, [_sample(0, "trait", 0.5), _sample(0, "trait", 0.5), _sample(1, "standard", 1.0),
                     _sample(1, "standard", 0.0)], padded_tokens=60, judge={})
    led = build_ledger(stats, arm="b", model="m", n_params=1, n_trainable=1, shape={**SHAPE, "dead_groups": "drop"},
                       grader={}, mixture={"trait_slice_rows": 10, "trait_scenarios_eligible": 40}, metric="padded")
    section = _compute({"ledgers": {"beneficial": _ledger_row(led)}})
    signal = next(t for t in section["tables"] if t["caption"].startswith("Training signal"))
    assert signal["rows"] == [["beneficial", "standard 0%, trait 100%", "drop", 2, "0.250"]]
