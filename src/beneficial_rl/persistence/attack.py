"""Run both persistence attacks on one model and write their measured effect, with CIs.

These are the functions `brl attack ...` and the experiment orchestrator call, once per arm: the
same attack on the beneficial arm, the compute-matched baseline and the pre-RL model is what lets
the report compare arms (method.md, "Persistence").

- Persona attack: every eval runs clean and under each persona prefix, in one `run_evals` call
  (one model load); retention = attacked / clean, paired by item, per eval and pooled.
- Fine-tuning attack: `run_ladder` exports a model per dose (dose 0 is always the untouched model,
  the reference), each is evaluated, and degradation = clean - dosed per eval and pooled.

Both are resumable: `run_evals` skips evals whose results file exists and `run_ladder` skips
finished doses, so a killed run is simply started again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.evals.context import EvalContext
from beneficial_rl.evals.registry import EvalInfo
from beneficial_rl.evals.runner import EvalRunConfig, results_path, run_evals
from beneficial_rl.persistence.finetune import FinetuneAttackConfig, run_ladder
from beneficial_rl.persistence.metrics import degradation, retention, steering_difference
from beneficial_rl.persistence.persona import persona_variant, personas
from beneficial_rl.utils.io import atomic_write_json, read_jsonl

PERSONA_RESULT = "persona_attack.json"
FINETUNE_RESULT = "finetune_attack.json"


def _rows(folder: Path, eval_id: str, prefix: str | None = None) -> list[dict]:
    """Per-sample rows of one eval; `prefix` makes ids unique when several evals are pooled."""
    rows = read_jsonl(results_path(folder, eval_id))
    if prefix is None:
        return rows
    return [{**r, "id": f"{prefix}/{r['id']}"} for r in rows]


def pooled_rows(folder: Path, eval_ids: Sequence[str], suffix: str = "") -> list[dict]:
    """All evals' rows as one set keyed `<eval>/<sample>`, so attacked and clean pair up by item."""
    return [r for e in eval_ids for r in _rows(folder, e + suffix, prefix=e)]


def _json_safe(x: Any) -> Any:
    """NaN (a bootstrap CI with no finite resample, e.g. a clean score of 0) becomes None: JSON has
    no NaN, and None is how every result here says 'not measurable'."""
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_json_safe(v) for v in x]
    return x


def _require_success(summaries: dict[str, dict]) -> dict[str, dict]:
    """An attack's effect is only computed from evals that finished; a failed one stops the attack
    (nothing is written as finished) and the next run retries it."""
    failed = {e: s.get("error") for e, s in summaries.items() if s.get("status") != "success"}
    if failed:
        raise BrlError("attack stopped: eval(s) failed and were not saved: "
                       + "; ".join(f"{e}: {why}" for e, why in failed.items()) + ". Rerun to retry them.")
    return summaries


def _judge_info(ctx: EvalContext) -> dict:
    return {"name": ctx.judge, "approximate": bool(getattr(ctx.grader, "approximate", False))}


def _model_name(model: str | Any) -> str:
    return model if isinstance(model, str) else str(getattr(model, "name", model))


def run_persona_attack(
    model: str | Any,
    eval_infos: Sequence[EvalInfo],
    persona_names: Sequence[str],
    ctx: EvalContext,
    out_dir: str | Path,
    cfg: EvalRunConfig | None = None,
) -> dict:
    """Evaluate `model` clean and under each persona; write and return retention with CIs.

    Result: `retention[persona]` pooled over every item of every eval (what the report's bars
    show), `per_eval[eval][persona]` the same per eval, and the clean/attacked eval summaries.
    A helpful persona's retention above 1 means it steered the model toward help.
    """
    if not eval_infos:
        raise BrlError("the persona attack needs at least one eval")
    if not persona_names:
        raise BrlError("the persona attack needs at least one persona")
    cfg = cfg or EvalRunConfig()
    out = Path(out_dir)
    evals_dir = out / "evals"
    variants = [persona_variant(info, p) for p in persona_names for info in eval_infos]
    summaries = _require_success(run_evals(model, [*eval_infos, *variants], ctx, evals_dir, cfg))
    ids = [info.id for info in eval_infos]
    per_eval = {
        e: {p: retention(_rows(evals_dir, e), _rows(evals_dir, f"{e}+{p}")) for p in persona_names} for e in ids
    }
    pooled = pooled_rows(evals_dir, ids)
    result = {
        "attack": "persona",
        "model": _model_name(model),
        "judge": _judge_info(ctx),
        "evals": ids,
        "limit": cfg.limit,
        "personas": {p: personas()[p]["kind"] for p in persona_names},
        "retention": {p: retention(pooled, pooled_rows(evals_dir, ids, f"+{p}")) for p in persona_names},
        "per_eval": per_eval,
        "summaries": summaries,
    }
    result = _json_safe(result)
    atomic_write_json(out / PERSONA_RESULT, result)
    return result


def helpful_steering(treatment_dir: str | Path, baseline_dir: str | Path, eval_ids: Sequence[str],
                     persona: str = "helpful_medical") -> dict:
    """The steerability control between two arms' persona-attack folders: how much more (or less)
    the helpful persona moved the treatment than the baseline, pooled over items, with a CI.
    Near zero means both arms stay equally steerable toward help (selective persistence)."""
    t, b = Path(treatment_dir) / "evals", Path(baseline_dir) / "evals"
    return _json_safe(steering_difference(pooled_rows(t, eval_ids), pooled_rows(t, eval_ids, f"+{persona}"),
                               pooled_rows(b, eval_ids), pooled_rows(b, eval_ids, f"+{persona}")))


def dose_eval_dir(out_dir: str | Path, dose: int) -> Path:
    return Path(out_dir) / "evals" / f"dose-{dose:04d}"


def run_finetune_attack(
    model_path: str,
    eval_infos: Sequence[EvalInfo],
    attack_cfg: FinetuneAttackConfig,
    ctx: EvalContext,
    out_dir: str | Path,
    eval_cfg: EvalRunConfig | None = None,
    callbacks: Sequence[Any] = (),
) -> dict:
    """Fine-tune `model_path` on the attack set along the dose ladder, evaluate every dose, and
    write and return per-dose results and degradation (clean - dosed) with CIs.

    Dose 0 (the untouched model) is always evaluated, because degradation is measured against it.
    `attack_cfg.ood_eval` (default: the misalignment questions) runs at every dose as well and is
    reported per dose under "ood", never pooled with the evals asked for.
    `model_path` must be a local model (see `models.loading.local_path`).
    """
    if not eval_infos:
        raise BrlError("the fine-tuning attack needs at least one eval")
    if any(d < 0 for d in attack_cfg.doses):
        raise BrlError(f"doses must be >= 0, got {attack_cfg.doses}")
    cfg = attack_cfg.model_copy(update={"doses": sorted(set(attack_cfg.doses) | {0})})
    eval_cfg = eval_cfg or EvalRunConfig()
    out = Path(out_dir)
    ladder = run_ladder(model_path, out / "ladder", cfg, callbacks=callbacks)
    ids = [info.id for info in eval_infos]  # pooled: the in-domain evals asked for
    ood = cfg.ood_eval
    if ood and ood not in ids:
        from beneficial_rl.evals.suite import get_eval

        eval_infos = [*eval_infos, get_eval(ood)]
    summaries = {d: _require_success(run_evals(path, list(eval_infos), ctx, dose_eval_dir(out, d), eval_cfg))
                 for d, path in sorted(ladder.doses.items())}
    clean_dir = dose_eval_dir(out, 0)
    clean = pooled_rows(clean_dir, ids)
    doses = []
    for d in sorted(ladder.doses):
        d_dir = dose_eval_dir(out, d)
        doses.append({
            "dose": d,
            "model": ladder.doses[d],
            **degradation(clean, pooled_rows(d_dir, ids)),
            "per_eval": {e.id: degradation(_rows(clean_dir, e.id), _rows(d_dir, e.id)) for e in eval_infos},
            **({"ood": degradation(_rows(clean_dir, ood), _rows(d_dir, ood))} if ood else {}),
            "summaries": summaries[d],
        })
    result = {
        "attack": "finetune",
        "model": model_path,
        "judge": _judge_info(ctx),
        "evals": ids,
        "ood_eval": ood,
        "limit": eval_cfg.limit,
        "config": cfg.model_dump(),
        "doses": doses,
    }
    result = _json_safe(result)
    atomic_write_json(out / FINETUNE_RESULT, result)
    return result
