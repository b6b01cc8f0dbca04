"""Gather every arm's attack results for the report: retention bars, the helpful-steering control
between the compared arms, and dose-response curves."""

from __future__ import annotations

import json
from typing import Any

from beneficial_rl.persistence.attack import FINETUNE_RESULT, PERSONA_RESULT, helpful_steering


def collect_attacks(cfg: Any) -> dict[str, Any]:
    from beneficial_rl.experiment.run import eval_arms

    out: dict[str, Any] = {}
    root = cfg.run_dir / "attacks"
    retention: dict[str, dict[str, dict]] = {}
    for arm in eval_arms(cfg):
        path = root / arm / "persona" / PERSONA_RESULT
        if path.is_file():
            for persona, r in json.loads(path.read_text())["retention"].items():
                retention.setdefault(persona, {})[arm] = r
    if retention:
        out["retention"] = retention
        p = cfg.attacks.persona
        treat = next((a for a in cfg.arms if a != cfg.baseline), None)
        helpful = [n for n in (p.personas if p else []) if n.startswith("helpful")]
        if treat and helpful and (root / treat / "persona").is_dir() and (root / cfg.baseline / "persona").is_dir():
            out["helpful_steering"] = {"persona": helpful[0], "treatment": treat, "baseline": cfg.baseline,
                                       **helpful_steering(root / treat / "persona", root / cfg.baseline / "persona",
                                                          p.evals, helpful[0])}
    dose_response = {}
    for arm in eval_arms(cfg):
        path = root / arm / "finetune" / FINETUNE_RESULT
        if path.is_file():
            dose_response[arm] = [{k: d.get(k) for k in ("dose", "mean", "loss", "ci_low", "ci_high", "n")}
                                  for d in json.loads(path.read_text())["doses"]]
    if dose_response:
        out["dose_response"] = dose_response
    return out
