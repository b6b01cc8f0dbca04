"""GRPO through the whole runner (mixture, router, grader, ledger) learns an easy dense reward."""

from __future__ import annotations

import json

import pytest
from training_helpers import ScriptedGrader, make_scenarios, tiny_config

from beneficial_rl.models.loading import tokenizer_from_path
from beneficial_rl.training.runner import train_arm
from beneficial_rl.utils.io import read_jsonl

pytestmark = pytest.mark.slow


def test_dense_reward_rises(tiny_model_path, tmp_path) -> None:
    """Reward: the share of the reply's tokens in the lower half of the vocabulary (about 0.5 for
    the random tiny model). Dense, so every group has variance; full fine-tuning, high LR, and a
    low sampling temperature so the tiny random model's near-uniform distribution is sharp enough
    to move within a dozen steps."""
    tok = tokenizer_from_path(tiny_model_path)
    half = len(tok) // 2

    def lower_half(req) -> float:
        ids = tok(req.response, add_special_tokens=False)["input_ids"]
        return sum(i < half for i in ids) / len(ids) if ids else 0.0

    cfg = tiny_config(tiny_model_path, steps=12, trait_fraction=1.0, learning_rate=3e-3, num_generations=4,
                      generation={"temperature": 0.1}, sample_every=100)
    train_arm(cfg, "beneficial", tmp_path / "arm", ScriptedGrader(lower_half), scenarios=make_scenarios())
    rewards = [r["reward"] for r in read_jsonl(tmp_path / "arm" / "train_log.jsonl")]
    first, last = sum(rewards[:3]) / 3, sum(rewards[-3:]) / 3
    assert last > first + 0.2, rewards
    led = json.loads((tmp_path / "arm" / "ledger.json").read_text())
    assert led["by_source"]["trait"]["reward_mean"] == pytest.approx(sum(rewards) / len(rewards), abs=1e-6)
