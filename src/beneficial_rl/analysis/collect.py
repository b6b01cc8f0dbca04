"""Gather a run directory into the `results` mapping the report renders (and results.json keeps).

Everything here is read from files the stages wrote; nothing is recomputed from models.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from beneficial_rl.analysis.stats import compare_arms, headline, refusal_rate, transfer_table
from beneficial_rl.evals.registry import all_evals
from beneficial_rl.utils.io import read_jsonl


def _rows(folder: Path) -> dict[str, list[dict]]:
    if not folder.is_dir():
        return {}
    return {p.stem: read_jsonl(p) for p in sorted(folder.glob("*.jsonl"))}


def _mean(rows: list[dict]) -> float | None:
    vals = [r["score"] for r in rows if r.get("score") is not None]
    return sum(vals) / len(vals) if vals else None


def reward_curves(log_path: Path) -> dict[str, list[tuple[int, float]]]:
    curves: dict[str, list[tuple[int, float]]] = defaultdict(list)
    if not log_path.is_file():
        return {}
    for row in read_jsonl(log_path, tolerate_torn_tail=True):
        for key, value in row.items():
            if key.startswith("brl/") and key.endswith("/reward_mean") and value is not None:
                curves[key.split("/")[1]].append((row["step"], value))
    return dict(curves)


def _ledger_row(ledger: dict) -> dict:
    return {"steps": ledger.get("steps"), "completions": ledger.get("completions"),
            "generated_tokens": ledger.get("tokens", {}).get("generated"),
            "trained_tokens": ledger.get("tokens", {}).get("trained"),
            "policy_flops": ledger.get("policy_compute", {}).get("value", 0.0),
            "judge_calls": ledger.get("judge", {}).get("calls"),
            "wall_seconds": ledger.get("wall_seconds"),
            "trait_slice_realized": ledger.get("trait_slice", {}).get("realized")}


def collect(cfg) -> dict[str, Any]:
    from beneficial_rl.experiment.run import PRE_RL, arm_dir, eval_arms
    from beneficial_rl.training.ledger import check_compute_match

    run = cfg.run_dir
    infos = all_evals()
    rows = {arm: _rows(run / "evals" / arm) for arm in eval_arms(cfg)}
    judge = cfg.eval.judge
    results: dict[str, Any] = {
        "name": cfg.name,
        "model": cfg.train.model,
        "judge": {"name": "offline (approximate)" if judge == "offline" else str(judge),
                  "approximate": judge == "offline"},
        "reward_judge": cfg.train.reward_judge,
        "limit": cfg.eval.limit,
        "arms": {}, "ledgers": {}, "comparisons": {}, "held_out": {}, "compute_match": [], "skipped": [],
    }
    ledgers = {}
    for arm in cfg.arms:
        path = arm_dir(cfg, arm) / "ledger.json"
        if path.is_file():
            ledgers[arm] = json.loads(path.read_text())
            results["ledgers"][arm] = _ledger_row(ledgers[arm])
        results["arms"][arm] = {"reward_curves": reward_curves(arm_dir(cfg, arm) / "train_log.jsonl")}
    for arm, per_eval in rows.items():
        held = {k.removeprefix("held_out_"): _mean(v) for k, v in per_eval.items()
                if k.startswith("held_out_") and k != "held_out_trait_judge"}
        if held:
            results["held_out"][arm] = held
    base = cfg.baseline
    for arm in [a for a in rows if a != base]:
        if base not in rows:
            break
        comp = compare_arms(rows[base], rows[arm], alpha=cfg.report.alpha, seed=cfg.report.seed)
        controlled = compare_arms(rows[base], rows[arm], skip_refusals=True, alpha=cfg.report.alpha, seed=cfg.report.seed)
        entry: dict[str, Any] = {
            "title": f"{arm} vs {base}", "treatment": arm, "baseline": base,
            "results": [r.to_dict() | {"category": infos[r.eval].category if r.eval in infos else ""} for r in comp],
            "headline": headline(comp).__dict__, "sentence": headline(comp).sentence(),
            "refusal_controlled": {"headline": headline(controlled).__dict__, "sentence": headline(controlled).sentence()},
            "refusal_rates": {
                a: {e: refusal_rate(v) for e, v in rows[a].items()} for a in (base, arm)},
        }
        by_cat: dict[str, list[float]] = defaultdict(list)
        for r in entry["results"]:
            if r["delta"] is not None:
                by_cat[r["category"]].append(r["delta"])
        entry["by_category"] = {c: {"mean_delta": sum(v) / len(v), "evals": len(v)} for c, v in by_cat.items()}
        if arm != PRE_RL:
            arm_cfg = cfg.train.arm(arm)
            if arm_cfg.include_domains or arm_cfg.exclude_domains:
                domains = {e: (infos[e].domains[0] if e in infos and infos[e].domains else None) for e in rows[arm]}
                entry["transfer"] = transfer_table(
                    comp, domains, set(arm_cfg.include_domains) if arm_cfg.include_domains else None,
                    set(arm_cfg.exclude_domains) or None)
            if arm in ledgers and base in ledgers:
                m = check_compute_match({base: ledgers[base], arm: ledgers[arm]}, cfg.train.compute_match_tolerance)
                entry["compute_matched"] = m.matched
                entry["compute_note"] = m.message
                results["compute_match"].append({"pair": f"{arm} vs {base}", "matched": m.matched,
                                                 "rel_diff": m.rel_diff, "tolerance": m.tolerance,
                                                 "metric": m.metric, "message": m.message})
        results["comparisons"][f"{arm}_vs_{base}"] = entry
    results["transcripts"] = _transcripts(rows, cfg)
    results["skipped"] = _skipped(cfg, rows)
    results["evals"] = {e: {"category": infos[e].category, "source": infos[e].source, "scorer": infos[e].scorer,
                            "metric": infos[e].metric, "n": {a: len(rows[a].get(e, [])) for a in rows}}
                        for e in sorted({e for r in rows.values() for e in r}) if e in infos}
    results["persistence"] = _persistence(cfg)
    return results


def _transcripts(rows: dict, cfg) -> list[dict]:
    base = cfg.baseline
    treat = next((a for a in cfg.arms if a != base), None)
    if not treat or base not in rows or treat not in rows:
        return []
    diffs = []
    for e, brows in rows[base].items():
        t = {r["id"]: r for r in rows[treat].get(e, [])}
        for b in brows:
            o = t.get(b["id"])
            if o and b.get("score") is not None and o.get("score") is not None and o["score"] != b["score"]:
                diffs.append((abs(o["score"] - b["score"]), e, b, o))
    diffs.sort(key=lambda d: -d[0])
    return [{"eval": e, "id": b["id"], "delta": o["score"] - b["score"], "prompt": b.get("prompt", ""),
             "baseline_arm": base, "treatment_arm": treat, "baseline_score": b["score"], "treatment_score": o["score"],
             "baseline_response": b.get("response", ""), "treatment_response": o.get("response", "")}
            for _, e, b, o in diffs[: cfg.report.transcripts]]


def _skipped(cfg, rows: dict) -> list[dict]:
    from beneficial_rl.evals.registry import select

    out = []
    for info in select(cfg.eval.suite if not cfg.eval.evals else None, cfg.eval.evals):
        if not info.available():
            why = f"needs a local copy (set {info.needs_data})" if info.needs_data else "needs the network"
            out.append({"eval": info.id, "reason": why})
    return out


def _persistence(cfg) -> dict:
    from beneficial_rl.persistence.collect import collect_attacks

    return collect_attacks(cfg)
