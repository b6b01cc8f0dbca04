"""Shipped experiment configs load, name existing arms, evals and personas."""

from pathlib import Path

import pytest

from beneficial_rl.evals.suite import get_eval, select
from beneficial_rl.experiment.config import load_experiment
from beneficial_rl.persistence.persona import persona_text

CONFIGS = Path(__file__).parents[2] / "configs"


@pytest.mark.parametrize("name", ["quickstart.yaml", "quickstart_attacks.yaml", "paper.yaml"])
def test_shipped_experiment_configs_are_valid(name):
    cfg = load_experiment(CONFIGS / name)
    for arm in cfg.arms:
        cfg.train.arm(arm)
    assert cfg.baseline in cfg.arms
    assert select(cfg.eval.suite if not cfg.eval.evals else None, cfg.eval.evals)
    if cfg.attacks.persona:
        [get_eval(e) for e in cfg.attacks.persona.evals]
        [persona_text(p) for p in cfg.attacks.persona.personas]
    if cfg.attacks.finetune:
        [get_eval(e) for e in cfg.attacks.finetune.evals]


def test_paper_config_has_every_arm_of_the_study_and_separate_judges():
    cfg = load_experiment(CONFIGS / "paper.yaml")
    assert set(cfg.arms) == {"beneficial", "compute_matched_baseline", "helpfulness_control", "health_only",
                             "no_health_no_science"}
    assert cfg.eval.judge != cfg.train.reward_judge
