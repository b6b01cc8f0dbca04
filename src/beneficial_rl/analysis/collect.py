"""Gather a run directory into the `results` mapping the report renders (and results.json keeps).

Everything here is read from files the stages wrote; nothing is recomputed from models.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from beneficial_rl.analysis.attacks import collect_attacks
from beneficial_rl.analysis.compare import compare_pair
from beneficial_rl.analysis.stats import refusal_rate
from beneficial_rl.evals.suite import all_evals, select
from beneficial_rl.experiment.layout import PRE_RL, arm_dir, eval_arms
from beneficial_rl.training.ledger import check_compute_match
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
            "trait_slice_realized": ledger.get("trait_slice", {}).get("realized"),
            "dead_group_frac_by_source": (ledger.get("dead_groups") or {}).get("zero_std_group_frac_by_source"),
            "dead_groups_mode": (ledger.get("dead_groups") or {}).get("mode"),
            "dropped_completions": (ledger.get("dead_groups") or {}).get("dropped_completions"),
            "trait_epochs_per_scenario": (ledger.get("trait_slice", {}).get("repetition") or {}).get("epochs_per_scenario")}


def _summaries(folder: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """Finished evals' summaries and failed evals' records, keyed by eval id."""
    done, failed = {}, {}
    if folder.is_dir():
        for p in sorted(folder.glob("*.summary.json")):
            done[p.name.removesuffix(".summary.json")] = json.loads(p.read_text())
        for p in sorted(folder.glob("*.failed.json")):
            failed[p.name.removesuffix(".failed.json")] = json.loads(p.read_text())
    return done, failed


def _eval_meta(e: str, summaries: dict[str, dict[str, dict]], infos: dict) -> dict[str, Any]:
    """What the statistics need about an eval, from the run's own records first (what actually
    graded it), then the registry."""
    rec = next((s[e] for s in summaries.values() if e in s), None)
    info = infos.get(e)
    return {
        "role": (rec or {}).get("role") or (info.role if info else "ood"),
        "refusal_scored": (rec or {}).get("refusal_scored", info.refusal_scored if info else False),
        "domains": (rec or {}).get("domains", list(info.domains) if info else []),
        "category": (rec or {}).get("category") or (info.category if info else ""),
        "approximate": any(s[e].get("approximate", False) for s in summaries.values() if e in s),
    }


def _grader_summary(summaries: dict[str, dict[str, dict]]) -> dict[str, Any]:
    """Which graders produced the run's numbers, read from every eval's record (not the config).
    A judge-scored eval's grader has a protocol hash (a judge) or is approximate (offline)."""
    recs = [s for per_eval in summaries.values() for s in per_eval.values()]
    judges = {s["grader"]["name"] for s in recs if s["grader"].get("protocol") or s["grader"].get("approximate")}
    return {"name": "; ".join(sorted(judges)) or "none (no judge-scored evals ran)",
            "approximate": any(s.get("approximate") for s in recs),
            "refusal_classifiers": sorted({s["refusal_classifier"]["name"] for s in recs}),
            "refusal_fallbacks": sum(s["refusal_classifier"].get("fallbacks", 0) for s in recs)}


def collect(cfg) -> dict[str, Any]:

    run = cfg.run_dir
    infos = all_evals()
    arms = eval_arms(cfg)
    rows = {arm: _rows(run / "evals" / arm) for arm in arms}
    summaries, failures = {}, {}
    for arm in arms:
        summaries[arm], failures[arm] = _summaries(run / "evals" / arm)
    # only evals that finished count; a results file without its summary is an interrupted write
    rows = {arm: {e: v for e, v in per.items() if e in summaries[arm]} for arm, per in rows.items()}
    every = sorted({e for per in rows.values() for e in per} | {e for f in failures.values() for e in f})
    meta = {e: _eval_meta(e, summaries, infos) for e in every}
    results: dict[str, Any] = {
        "name": cfg.name,
        "model": cfg.train.model,
        "judge": _grader_summary(summaries),
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
                if meta[k]["role"] == "held_out_trait"}
        if held:
            results["held_out"][arm] = held
    base = cfg.baseline
    for arm in [a for a in rows if a != base]:
        if base not in rows:
            break
        restricted, include, exclude = False, None, None
        if arm != PRE_RL:
            arm_cfg = cfg.train.arm(arm)
            restricted = bool(arm_cfg.include_domains or arm_cfg.exclude_domains)
            include = set(arm_cfg.include_domains) if arm_cfg.include_domains else None
            exclude = set(arm_cfg.exclude_domains) or None
        entry: dict[str, Any] = {"title": f"{arm} vs {base}", "treatment": arm, "baseline": base,
                                 **compare_pair(rows[base], rows[arm], meta, alpha=cfg.report.alpha,
                                                seed=cfg.report.seed, trained_domains=include,
                                                excluded_domains=exclude, restricted=restricted)}
        entry["missing"] = _missing(every, {base: rows[base], arm: rows[arm]}, failures)
        entry["refusal_rates"] = {a: {e: refusal_rate(v) for e, v in rows[a].items()} for a in (base, arm)}
        by_cat: dict[str, list[float]] = defaultdict(list)
        for r in entry["results"]:
            if r["delta"] is not None:
                by_cat[r["category"]].append(r["delta"])
        entry["by_category"] = {c: {"mean_delta": sum(v) / len(v), "evals": len(v)} for c, v in by_cat.items()}
        if arm in ledgers and base in ledgers:
            m = check_compute_match({base: ledgers[base], arm: ledgers[arm]}, cfg.train.compute_match_tolerance,
                                    cfg.train.compute_metric)
            entry["compute_matched"] = m.matched
            entry["compute_note"] = m.message
            results["compute_match"].append({
                "pair": f"{arm} vs {base}", "matched": m.matched, "metric": m.metric, "rel_diff": m.rel_diff,
                "tolerance": m.tolerance, "message": m.message,
                "rel_diff_by_metric": m.rel_diff_by_metric,  # budget, padded (processed), realized tokens
                "judge": {a: {"calls": ledgers[a].get("judge", {}).get("calls"),
                              "input_tokens": ledgers[a].get("judge", {}).get("input_tokens"),
                              "output_tokens": ledgers[a].get("judge", {}).get("output_tokens")} for a in (base, arm)},
            })
        results["comparisons"][f"{arm}_vs_{base}"] = entry
    primary = next((k for k, c in results["comparisons"].items() if c["treatment"] != PRE_RL), None)
    if primary:  # the study's main pair, at the top level under the documented keys
        main = results["comparisons"][primary]
        results["primary"] = primary
        for key in ("headline", "held_out_traits", "capability", "refusal_controlled", "missing"):
            results[key] = main[key]
        results["transfer"] = {k: c["transfer"] for k, c in results["comparisons"].items() if "transfer" in c}
    results["transcripts"] = _transcripts(rows, cfg)
    results["skipped"] = _skipped(cfg, rows)
    results["evals"] = {
        e: meta[e] | {"source": infos[e].source if e in infos else "", "scorer": infos[e].scorer if e in infos else "",
                      "metric": infos[e].metric if e in infos else "",
                      "per_arm": {a: _per_arm(a, e, summaries, failures) for a in arms}}
        for e in every}
    results["persistence"] = _persistence(cfg)
    return results


def _per_arm(arm: str, e: str, summaries: dict, failures: dict) -> dict[str, Any]:
    s = summaries[arm].get(e) or failures[arm].get(e)
    if s is None:
        return {"status": "not run"}
    keys = ("status", "n", "n_scored", "n_excluded", "excluded_reasons", "n_errors", "mean", "grader",
            "refusal_classifier", "approximate", "policy", "error")
    return {k: s.get(k) for k in keys if k in s}


def _missing(every: list[str], rows: dict[str, dict], failures: dict[str, dict]) -> list[dict]:
    """Evals without results in one of the two arms, and why: listed, never silently dropped."""
    out = []
    for e in every:
        absent = [a for a in rows if e not in rows[a]]
        if absent and (len(absent) < len(rows) or any(e in failures[a] for a in absent)):
            for a in absent:
                why = f"failed: {failures[a][e].get('error')}" if e in failures[a] else "not run"
                out.append({"eval": e, "arm": a, "reason": why})
    return out


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
    out = []
    for info in select(cfg.eval.suite if not cfg.eval.evals else None, cfg.eval.evals):
        if not info.available():
            why = f"needs a local copy (set {info.needs_data})" if info.needs_data else "needs the network"
            out.append({"eval": info.id, "reason": why})
    return out


def _persistence(cfg) -> dict:
    return collect_attacks(cfg)
