"""A crashed run resumes from its last checkpoint and continues the step count and the ledger."""

from __future__ import annotations

import json

import pytest
from training_helpers import HashGrader, make_scenarios, tiny_config
from transformers import TrainerCallback

from beneficial_rl.training.runner import train_arm
from beneficial_rl.utils.io import read_jsonl

pytestmark = pytest.mark.slow


class Crash(RuntimeError):
    pass


class CrashAfterLogging(TrainerCallback):
    """Dies after step 3 was logged but before it was checkpointed (the last checkpoint is step 2)."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.global_step == 3 and "loss" in (logs or {}):
            raise Crash("simulated crash")


def test_resumed_run_continues_step_count_data_and_ledger(tiny_model_path, tmp_path) -> None:
    cfg = tiny_config(tiny_model_path, steps=4, save_every=2, trait_fraction=0.25,
                      standard_data=[{"kind": "helpfulness"}, {"kind": "arithmetic"}])
    out = tmp_path / "arm"
    with pytest.raises(Crash):
        train_arm(cfg, "beneficial", out, HashGrader(), scenarios=make_scenarios(), callbacks=[CrashAfterLogging()])
    assert not (out / "done.json").exists()
    assert (out / "checkpoints" / "checkpoint-2" / "brl_state.json").is_file()
    assert [r["step"] for r in read_jsonl(out / "train_log.jsonl")] == [1, 2, 3]  # step 3 logged, not saved

    train_arm(cfg, "beneficial", out, HashGrader(), scenarios=make_scenarios())
    log = read_jsonl(out / "train_log.jsonl")
    assert [r["step"] for r in log] == [1, 2, 3, 4]  # the unsaved step 3 was redone once, not appended twice
    done = json.loads((out / "done.json").read_text())
    assert done["resumed_from"].endswith("checkpoint-2") and done["steps"] == 4
    led = json.loads((out / "ledger.json").read_text())
    assert led["steps"] == 4 and led["completions"] == 4 * 8 and led["prompts"] == 16
    assert led["tokens"]["realized"] == log[-1]["num_tokens"]  # TRL's counter was restored too
    # Unshuffled, deterministic order: step k trains on rows 4(k-1) .. 4k-1, resumed or not.
    for step in (1, 2, 3, 4):
        rows = {s["row"] for s in read_jsonl(out / "samples" / f"step_{step:05d}.jsonl")}
        assert rows == set(range(4 * (step - 1), 4 * step))
