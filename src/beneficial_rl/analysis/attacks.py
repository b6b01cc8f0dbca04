"""Gather every arm's attack results for the report: retention bars, the helpful-steering control
between the compared arms, and dose-response curves, plus the between-arm comparisons the paper's
claims are about, computed on the items every arm shares (persistence/metrics.py)."""

from __future__ import annotations

import json
from typing import Any

from beneficial_rl.experiment.layout import eval_arms
from beneficial_rl.persistence.attack import (
    FINETUNE_RESULT,
    PERSONA_RESULT,
    dose_eval_dir,
    helpful_steering,
    pooled_rows,
)
from beneficial_rl.persistence.metrics import dose_across_arms, retention_across_arms


def collect_attacks(cfg: Any) -> dict[str, Any]:
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
    out.update(_across_arms(cfg, root, eval_arms(cfg)))
    return out


def _across_arms(cfg: Any, root: Any, arms: list[str]) -> dict[str, Any]:
    """Retention and dose loss on a common item set, with CIs for each arm's difference from the
    baseline (the quantity the paper reports), from the per-sample rows every attack kept."""
    out: dict[str, Any] = {}
    persona = {a: json.loads((root / a / "persona" / PERSONA_RESULT).read_text()) for a in arms
               if (root / a / "persona" / PERSONA_RESULT).is_file()}
    if cfg.baseline in persona:
        names = sorted(set.intersection(*(set(r["retention"]) for r in persona.values())))
        ids = sorted(set.intersection(*(set(r["evals"]) for r in persona.values())))
        out["retention_comparison"] = {
            p: retention_across_arms(
                {a: (pooled_rows(root / a / "persona" / "evals", ids), pooled_rows(root / a / "persona" / "evals", ids, f"+{p}"))
                 for a in persona}, cfg.baseline, seed=cfg.report.seed) | {"evals": ids}
            for p in names}
    finetune = {a: json.loads((root / a / "finetune" / FINETUNE_RESULT).read_text()) for a in arms
                if (root / a / "finetune" / FINETUNE_RESULT).is_file()}
    if cfg.baseline in finetune:
        ids = sorted(set.intersection(*(set(r["evals"]) for r in finetune.values())))
        per_arm = {a: {d["dose"]: pooled_rows(dose_eval_dir(root / a / "finetune", d["dose"]), ids) for d in r["doses"]}
                   for a, r in finetune.items()}
        out["dose_comparison"] = dose_across_arms(per_arm, cfg.baseline, seed=cfg.report.seed) | {"evals": ids}
    return out
