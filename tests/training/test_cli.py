"""`brl train`: trains from a YAML file with the offline reward grader and reports compute matching."""

from __future__ import annotations

import json

import pytest
import yaml
from training_helpers import make_scenarios
from typer.testing import CliRunner

from beneficial_rl.cli import app

pytestmark = pytest.mark.slow


def test_brl_train_two_arms_then_compute_match(tiny_model_path, tmp_path) -> None:
    scen = tmp_path / "scenarios.jsonl"
    scen.write_text("".join(s.model_dump_json() + "\n" for s in make_scenarios()))
    config = tmp_path / "train.yaml"
    config.write_text(yaml.safe_dump({
        "model": tiny_model_path, "reward_judge": "offline", "trait_data": [str(scen)], "trait_fraction": 0.25,
        "steps": 1, "num_generations": 2, "per_device_train_batch_size": 8, "max_completion_length": 8,
        "max_prompt_length": 200, "output_dir": str(tmp_path / "arms"),
    }))
    runner = CliRunner()
    first = runner.invoke(app, ["train", "--config", str(config), "--arm", "beneficial"])
    assert first.exit_code == 0, first.output
    assert "done" in first.output
    second = runner.invoke(app, ["train", "--config", str(config), "--arm", "compute_matched_baseline"])
    assert second.exit_code == 0, second.output
    assert "compute-matched" in second.output
    match = json.loads((tmp_path / "arms" / "compute_match.json").read_text())
    assert match["matched"] and match["label"] == "compute-matched"
    ledger = json.loads((tmp_path / "arms" / "beneficial" / "ledger.json").read_text())
    assert ledger["judge"]["grader"] == "offline (approximate)" and ledger["judge"]["approximate"] is True


def test_brl_train_errors_are_one_clean_line(tmp_path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("steps: 1\n")
    result = CliRunner().invoke(app, ["train", "--config", str(config), "--arm", "nonexistent"])
    assert result.exit_code == 1
    assert "unknown arm 'nonexistent'" in result.output and "Traceback" not in result.output
    config.write_text("steps: zero\n")
    result = CliRunner().invoke(app, ["train", "--config", str(config), "--arm", "beneficial"])
    assert result.exit_code == 1 and "train.yaml" in result.output and "steps" in result.output
