"""RL training: the 5%/95% mixture, the study's arms, GRPO through TRL, and a compute ledger.

    config.py     TrainConfig / ArmConfig (pydantic, help text on every field), built-in arms
    tasks/        standard RL data: arithmetic, word problems, instructions, helpfulness, JSONL/hub
    mixture.py    trait slice at the requested rate, arms that share their standard rows
    rewards.py    one TRL reward function routing by `source`: judge, verifier or helpfulness rubric
    ledger.py     compute actually spent, and whether arms are compute-matched
    runner.py     train_arm(): GRPOTrainer, checkpoints and resume, merged final model

Importing this package does not import torch or TRL; `train_arm` loads them on first use.
"""

from __future__ import annotations

from typing import Any

from beneficial_rl.training.config import BUILTIN_ARMS, ArmConfig, DataSource, TrainConfig, load_train_config
from beneficial_rl.training.ledger import ComputeMatch, check_compute_match, compare_arm_dirs


def __getattr__(name: str) -> Any:
    if name == "train_arm":
        from beneficial_rl.training.runner import train_arm

        return train_arm
    raise AttributeError(name)


__all__ = [
    "BUILTIN_ARMS", "ArmConfig", "ComputeMatch", "DataSource", "TrainConfig", "check_compute_match",
    "compare_arm_dirs", "load_train_config", "train_arm",
]
