"""`brl run --dry-run` plans a GPU run on a machine without the network: the estimate says what it
could not compute instead of failing, and it prints the trait exposures and per-domain repetition."""

import json
from pathlib import Path

from typer.testing import CliRunner

from beneficial_rl.cli import app
from beneficial_rl.experiment.estimate import estimate_arms
from beneficial_rl.scenarios.io import load_library
from beneficial_rl.training.config import TrainConfig

MISSING = "beneficial-rl-tests/no-such-model"
PAPER = Path(__file__).parents[2] / "configs" / "paper.yaml"


def test_an_uncached_hub_model_is_reported_not_raised():
    cfg = TrainConfig(model=MISSING, steps=100, num_generations=8, per_device_train_batch_size=16,
                      gradient_accumulation_steps=4, trait_fraction=0.05)
    est = estimate_arms(cfg, ["beneficial", "health_only", "compute_matched_baseline"])
    for arm in est.values():
        assert arm["parameters"] is None and arm["policy_flops_budget"] is None
        assert MISSING in arm["not_estimated"]["parameters"]
        assert arm["prompts_per_step"] == 8 and arm["budget_tokens"] > 0
    n_health = sum(s.domain == "health" for s in load_library("train"))
    rows = est["health_only"]["trait_exposures"]["trait_rows"]
    assert rows == est["beneficial"]["trait_exposures"]["trait_rows"] == 40  # 800 prompts x 5%
    health = est["health_only"]["trait_exposures"]
    assert health["scenarios_eligible"] == n_health
    assert health["epochs_per_scenario"] == round(rows / n_health, 3)
    assert set(health["by_domain"]) == {"health"} and health["by_domain"]["health"]["exposures"] == rows
    full = est["beneficial"]["trait_exposures"]
    assert sum(d["exposures"] for d in full["by_domain"].values()) == rows
    assert est["compute_matched_baseline"]["trait_exposures"]["trait_rows"] == 0


def test_dry_run_of_the_paper_config_prints_exposures_offline():
    res = CliRunner().invoke(app, ["run", str(PAPER), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    plan = json.loads(res.output)
    for arm in plan["arms"].values():
        assert "trait_exposures" in arm and arm["prompts_per_step"] >= 8
    assert plan["arms"]["health_only"]["trait_exposures"]["by_domain"].keys() == {"health"}
