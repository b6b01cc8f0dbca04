"""dead_groups='drop' in a real GRPO run on the tiny model: the trainer masks exactly the dead groups
the reward router saw, the ledger counts them as dropped without removing their compute, and a dead
trait slice is warned about."""

from __future__ import annotations

import json

import pytest
from training_helpers import ScriptedGrader, make_scenarios, tiny_config

from beneficial_rl.training import runner
from beneficial_rl.utils.io import read_jsonl

pytestmark = pytest.mark.slow


def test_drop_masks_dead_groups_and_the_ledger_keeps_their_compute(tiny_model_path, tmp_path, monkeypatch,
                                                                  capsys) -> None:
    # trait rows get a flat reward (every trait group is dead); standard rows vary with the response
    grader = ScriptedGrader(lambda r: 0.5 if r.trait else (sum(map(ord, r.response)) % 97) / 96)
    masked = []
    real = runner.drop_dead_groups

    def spy(output, rows, dead, gather):
        masked.append(sum(r in dead for r in rows))
        return real(output, rows, dead, gather)

    monkeypatch.setattr(runner, "drop_dead_groups", spy)
    cfg = tiny_config(tiny_model_path, steps=2, trait_fraction=0.5, dead_groups="drop", dead_trait_warn_steps=2,
                      standard_data=[{"kind": "helpfulness"}])
    runner.train_arm(cfg, "beneficial", tmp_path / "arm", grader, scenarios=make_scenarios())
    led = json.loads((tmp_path / "arm" / "ledger.json").read_text())
    log = read_jsonl(tmp_path / "arm" / "train_log.jsonl")
    dead = led["dead_groups"]
    assert masked and sum(masked) == dead["dropped_completions"]  # the trainer masked what the router saw
    trait_completions = led["by_source"]["trait"]["completions"]
    assert dead["mode"] == "drop" and dead["dropped_completions"] >= trait_completions > 0
    assert led["by_source"]["trait"]["zero_std_group_frac"] == 1.0
    assert dead["zero_std_group_frac_by_source"]["trait"] == 1.0
    # dropped completions are still in the compute: every completion generated is counted
    assert led["completions"] == 2 * cfg.per_device_train_batch_size
    assert all(r["dead_groups_by_source"]["trait"]["dead"] == r["dead_groups_by_source"]["trait"]["groups"]
               for r in log if "dead_groups_by_source" in r)
    assert [r["step"] for r in log if "warning" in r] == [2]
    assert dead["trait_slice_dead_streaks"] == [{"start": 1, "steps": 2}]
    assert "trait slice has been dead for 2 steps" in capsys.readouterr().err
