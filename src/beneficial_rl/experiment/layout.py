"""Where a run keeps each arm's files: the one place the experiment, the analysis and the attacks
agree on paths, so none of them imports another to find a folder."""

from __future__ import annotations

from pathlib import Path

from beneficial_rl.experiment.config import ExperimentConfig

PRE_RL = "pre_rl"


def arm_dir(cfg: ExperimentConfig, arm: str) -> Path:
    return cfg.run_dir / "arms" / arm


def eval_arms(cfg: ExperimentConfig) -> list[str]:
    """Every model the run evaluates: the pre-RL model (when asked for) and each trained arm."""
    return ([PRE_RL] if cfg.include_pre_rl else []) + list(cfg.arms)


def model_for(cfg: ExperimentConfig, arm: str) -> str:
    if arm == PRE_RL:
        return cfg.train.model
    return str(arm_dir(cfg, arm) / "final")
