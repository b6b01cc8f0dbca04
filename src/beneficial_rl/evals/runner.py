"""Run evals on a model and keep per-sample results keyed by id.

The policy runs through Inspect's `hf/` provider (batched generation: Inspect queues concurrent
requests into batches of `max_connections`), or any Inspect provider for endpoints. Inspect's own
`.eval` logs are kept so `inspect view` browses every transcript; next to them we write one JSONL
per eval (`<eval>.jsonl`: id, score, refusal, response) which the statistics read. An eval whose
results file exists is skipped, so a killed run resumes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beneficial_rl.evals.context import EvalContext
from beneficial_rl.evals.registry import EvalInfo
from beneficial_rl.models.spec import parse_spec
from beneficial_rl.utils.io import atomic_write_json, atomic_write_jsonl, read_jsonl


@dataclass
class EvalRunConfig:
    limit: int | None = None
    batch_size: int = 8
    max_tokens: int = 256
    temperature: float = 0.0
    seed: int = 0
    display: str = "none"


def policy_model(spec: str, batch_size: int, seed: int = 0) -> Any:
    """An Inspect model for a spec: local weights through `hf/`, endpoints as themselves."""
    from inspect_ai.model import GenerateConfig, get_model

    ms = parse_spec(spec)
    cfg = GenerateConfig(max_connections=batch_size, seed=seed)
    if ms.kind == "endpoint":
        return get_model(ms.name, config=cfg)
    from beneficial_rl.models.loading import local_path

    path = local_path(ms)
    return get_model(f"hf/{Path(path).name}", config=cfg, model_path=path, device=_device(),
                     do_sample=False, memoize=False)


def _device() -> str:
    import torch

    return "cuda:0" if torch.cuda.is_available() else "cpu"


def results_path(out_dir: str | Path, eval_id: str) -> Path:
    return Path(out_dir) / f"{eval_id}.jsonl"


def run_evals(
    model: str | Any,
    evals: list[EvalInfo],
    ctx: EvalContext,
    out_dir: str | Path,
    cfg: EvalRunConfig | None = None,
    on_done: Callable[[EvalInfo, dict], None] | None = None,
) -> dict[str, dict]:
    """Evaluate `model` on `evals`; return {eval_id: summary}. Completed evals are not rerun."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import GenerateConfig

    cfg = cfg or EvalRunConfig()
    out = Path(out_dir)
    summaries: dict[str, dict] = {}
    todo = []
    for info in evals:
        done = results_path(out, info.id)
        if done.exists():
            summaries[info.id] = summarize(info, read_jsonl(done), ctx.judge)
        else:
            todo.append(info)
    if not todo:
        return summaries
    inspect_model = policy_model(model, cfg.batch_size, cfg.seed) if isinstance(model, str) else model
    for info in todo:  # one eval at a time: its results land atomically before the next starts
        start = time.time()
        task = info.factory(ctx)
        (log,) = inspect_eval(
            task,
            model=inspect_model,
            log_dir=str(out / "inspect"),
            limit=cfg.limit,
            display=cfg.display,  # type: ignore[arg-type]
            max_connections=cfg.batch_size,
            max_samples=cfg.batch_size,
            fail_on_error=False,
            score_display=False,
            **GenerateConfig(max_tokens=cfg.max_tokens, temperature=cfg.temperature, seed=cfg.seed).model_dump(
                exclude_none=True
            ),
        )
        rows = sample_rows(log)
        atomic_write_jsonl(results_path(out, info.id), rows)
        summary = summarize(info, rows, ctx.judge, seconds=time.time() - start, status=log.status)
        summaries[info.id] = summary
        if on_done:
            on_done(info, summary)
    atomic_write_json(out / "summary.json", summaries)
    return summaries


def sample_rows(log: Any) -> list[dict]:
    """One row per sample: stable id, score (None when excluded), refusal, the response."""
    rows = []
    for s in log.samples or []:
        sc = next(iter((s.scores or {}).values()), None)
        value = None
        meta: dict = {}
        if sc is not None:
            meta = sc.metadata or {}
            v = float(sc.value) if isinstance(sc.value, int | float) else None
            value = None if v is None or math.isnan(v) else v
        user = [m for m in (s.messages or []) if m.role == "user"]
        rows.append({
            "id": str(s.id),
            "prompt": user[-1].text[:1500] if user else "",
            "score": value,
            "refusal": bool(meta.get("refusal", False)),
            "response": s.output.completion if s.output else "",
            "error": str(s.error.message) if getattr(s, "error", None) else None,
            "meta": {k: v for k, v in meta.items() if k not in ("refusal",)},
        })
    return rows


def summarize(info: EvalInfo, rows: list[dict], judge: str, seconds: float | None = None,
              status: str = "success") -> dict:
    scored = [r["score"] for r in rows if r["score"] is not None]
    return {
        "eval": info.id,
        "category": info.category,
        "n": len(rows),
        "n_scored": len(scored),
        "excluded": len(rows) - len(scored),
        "mean": sum(scored) / len(scored) if scored else None,
        "refusal_rate": sum(r["refusal"] for r in rows) / len(rows) if rows else None,
        "judge": judge if info.judge_scored else info.scorer,
        "seconds": round(seconds, 1) if seconds is not None else None,
        "status": status,
    }
