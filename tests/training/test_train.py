"""Real GRPO runs on the tiny model: every arm kind trains, and its ledger agrees with TRL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from training_helpers import HashGrader, make_scenarios, state_dict, tiny_config
from transformers import TrainerCallback

from beneficial_rl.training.ledger import compare_arm_dirs
from beneficial_rl.training.runner import train_arm
from beneficial_rl.training.tasks.helpfulness import GENERIC_RUBRIC
from beneficial_rl.utils.io import read_jsonl

pytestmark = pytest.mark.slow
STEPS = 2
ARMS = ["beneficial", "compute_matched_baseline", "helpfulness_control"]


@pytest.fixture(scope="module")
def runs(tiny_model_path, tmp_path_factory) -> dict:
    """Three arms of one experiment, two steps each, 4 prompts x 2 completions per step."""
    root = tmp_path_factory.mktemp("arms")
    cfg = tiny_config(tiny_model_path, steps=STEPS, trait_fraction=0.25,
                      standard_data=[{"kind": "helpfulness"}, {"kind": "instructions"}])
    out = {}
    for arm in ARMS:
        grader = HashGrader()
        final = train_arm(cfg, arm, root / arm, grader, scenarios=make_scenarios())
        out[arm] = {"final": final, "dir": root / arm, "grader": grader,
                    "ledger": json.loads((root / arm / "ledger.json").read_text()),
                    "log": read_jsonl(root / arm / "train_log.jsonl")}
    out["cfg"] = cfg
    return out


@pytest.mark.parametrize("arm", ARMS)
def test_every_arm_trains_and_changes_parameters(runs, arm, tiny_model_path) -> None:
    before, after = state_dict(tiny_model_path), state_dict(str(runs[arm]["final"]))
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert changed, f"{arm}: no parameter changed"
    assert [r["step"] for r in runs[arm]["log"]] == list(range(1, STEPS + 1))
    assert all(r["grad_norm"] > 0 for r in runs[arm]["log"])


@pytest.mark.parametrize("arm", ARMS)
def test_ledger_counts_equal_what_trl_logged(runs, arm) -> None:
    led, log = runs[arm]["ledger"], runs[arm]["log"]
    trainer_state = json.loads((runs[arm]["dir"] / "checkpoints" / f"checkpoint-{STEPS}" / "trainer_state.json").read_text())
    assert led["steps"] == trainer_state["global_step"] == STEPS
    assert led["completions"] == sum(r["completions"] for r in log) == STEPS * 8
    assert led["prompts"] == STEPS * 4
    # TRL counts prompt + completion tokens of everything it generated in num_input_tokens_seen
    assert led["tokens"]["realized"] == trainer_state["num_input_tokens_seen"] == log[-1]["num_tokens"]
    assert led["tokens"]["trl_num_input_tokens_seen"] == trainer_state["num_input_tokens_seen"]
    for r in log:  # TRL's per-step mean completion length, from our exact counts
        assert r["completion_tokens"] / r["completions"] == pytest.approx(r["completions/mean_length"])
    assert led["tokens"]["padded"] >= led["tokens"]["realized"]
    assert led["tokens"]["budget"] == led["completions"] * (200 + 8)
    assert led["judge"]["calls"] == len(runs[arm]["grader"].requests)
    assert led["wall_seconds"] > 0


def test_trait_slice_realized_as_planned(runs) -> None:
    led = runs["beneficial"]["ledger"]
    mixture = json.loads((runs["beneficial"]["dir"] / "mixture.json").read_text())
    assert led["trait_slice"]["realized"] == mixture["trait_slice_fraction"] == 0.25
    assert sum(r["prompts_by_source"].get("trait", 0) for r in runs["beneficial"]["log"]) == 2
    assert runs["compute_matched_baseline"]["ledger"]["trait_slice"]["realized"] == 0
    assert runs["helpfulness_control"]["ledger"]["by_source"]["control"]["prompts"] == 2


def test_rewards_reach_the_grader_with_the_right_rubric(runs) -> None:
    generic = [i.criterion for i in GENERIC_RUBRIC]
    trait_reqs = [r for r in runs["beneficial"]["grader"].requests if r.trait]
    assert trait_reqs and all([i.criterion for i in r.rubric] != generic[: len(r.rubric)] for r in trait_reqs)
    control = runs["helpfulness_control"]["grader"].requests
    assert not any(r.trait for r in control)
    assert sum([i.criterion for i in r.rubric] == generic for r in control) == 2 * 2  # 2 control prompts x 2


def test_arms_are_compute_matched_and_realized_difference_reported(runs) -> None:
    m = compare_arm_dirs([runs[a]["dir"] for a in ARMS], tolerance=0.02)
    # the verdict follows processed (padded) tokens by default; the budget is equal by construction
    assert m.metric == "padded" and m.rel_diff_by_metric["budget"] == 0.0
    assert m.matched == (m.rel_diff_by_metric["padded"] <= 0.02)
    assert m.label == ("compute-matched" if m.matched else "not compute-matched")
    assert set(m.rel_diff_by_metric) == {"budget", "padded", "realized"}
    assert compare_arm_dirs([runs[a]["dir"] for a in ARMS], tolerance=0.02, metric="budget").matched
    assert not m.shape_differences


def test_final_model_loads_and_generates(runs) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    final = runs["beneficial"]["final"]
    tok = AutoTokenizer.from_pretrained(final)
    model = AutoModelForCausalLM.from_pretrained(final)
    assert tok.chat_template and model.config.use_cache
    ids = tok.apply_chat_template([{"role": "user", "content": "hi"}], add_generation_prompt=True, return_tensors="pt",
                                  return_dict=True)
    out = model.generate(**ids, max_new_tokens=3, do_sample=False)
    assert out.shape[1] == ids["input_ids"].shape[1] + 3


class Boom(TrainerCallback):
    def on_train_begin(self, *args, **kwargs):
        raise AssertionError("training started again")


def test_finished_arm_is_skipped(runs) -> None:
    d = runs["beneficial"]["dir"]
    before = (d / "ledger.json").read_text()
    assert train_arm(runs["cfg"], "beneficial", d, HashGrader(), scenarios=make_scenarios(), callbacks=[Boom()]) == d / "final"
    assert (d / "ledger.json").read_text() == before


def test_lora_arm_saves_a_merged_plain_model(tiny_model_path, tmp_path) -> None:
    cfg = tiny_config(tiny_model_path, steps=1, learning_rate=1e-2, trait_fraction=0.25,
                      standard_data=[{"kind": "helpfulness"}],
                      lora={"enabled": True, "r": 4, "alpha": 8, "target_modules": ["q_proj", "v_proj"]})
    final = train_arm(cfg, "beneficial", tmp_path / "lora", HashGrader(), scenarios=make_scenarios())
    before, after = state_dict(tiny_model_path), state_dict(str(final))
    assert set(after) == set(before)  # no adapter keys: LoRA was merged
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all("q_proj" in k or "v_proj" in k for k in changed)
    led = json.loads((tmp_path / "lora" / "ledger.json").read_text())
    assert 0 < led["trainable_parameters"] < led["parameters"]
    assert Path(tmp_path / "lora" / "adapter").is_dir()
