"""What `brl train` does, kept out of the CLI module: load config, build the reward judge, train,
and say whether the arms trained so far next to this one are compute-matched."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.training.config import TrainConfig, load_train_config
from beneficial_rl.training.ledger import ComputeMatch, compare_arm_dirs
from beneficial_rl.utils.io import atomic_write_json


def reward_grader(cfg: TrainConfig) -> Any:
    """The reward judge named by the config ('offline' or a chat endpoint), in the reward role."""
    try:
        from beneficial_rl.grading.factory import make_grader
    except ImportError as e:
        raise BrlError(f"the reward judge needs beneficial_rl.grading.factory.make_grader, which is missing ({e})") from None
    return make_grader(cfg.reward_judge, use="reward")


@dataclass
class TrainOutcome:
    final: Path
    ledger: dict[str, Any]
    match: ComputeMatch | None


def match_siblings(arms_dir: Path, cfg: TrainConfig) -> ComputeMatch | None:
    """Compare every finished arm under `arms_dir`; the result goes to arms_dir/compute_match.json.
    Only a result within tolerance is labelled compute-matched (see ComputeMatch.label)."""
    done = sorted(d for d in arms_dir.iterdir() if (d / "ledger.json").is_file())
    if len(done) < 2:
        return None
    match = compare_arm_dirs(done, cfg.compute_match_tolerance, cfg.compute_metric)
    atomic_write_json(arms_dir / "compute_match.json", match.to_dict())
    return match


def train_from_config(config: str | Path, arm: str, out: str | Path | None = None,
                      overrides: dict[str, Any] | None = None) -> TrainOutcome:
    from beneficial_rl.training.runner import train_arm

    cfg = load_train_config(config, overrides)
    cfg.arm(arm)  # fail on an unknown arm before loading anything
    out_dir = Path(out) if out else Path(cfg.output_dir) / arm
    final = train_arm(cfg, arm, out_dir, reward_grader(cfg))
    ledger = json.loads((out_dir / "ledger.json").read_text())
    return TrainOutcome(final, ledger, match_siblings(out_dir.parent, cfg))
