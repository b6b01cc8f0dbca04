"""Run evals on a model and keep per-sample results keyed by id.

A local policy runs through `brl-hf/` (models/inspect_local.py: one worker batches the requests of
every running eval, grouped by prompt length), an endpoint through its own Inspect provider. Evals run on
Inspect's `eval_set`: a task whose samples errored is retried (`retry_attempts`, reusing the samples
that finished), and a rerun resumes from the logs in `<out>/inspect`, which `inspect view` browses.
Next to them we write one JSONL per eval (`<eval>.jsonl`: id, score, refusal, response) which the
statistics read, and `<eval>.summary.json` with the numbers and their provenance, only when the log
says success and no sample errored; anything else is `<eval>.failed.json` and a rerun retries it.
An eval whose results and summary exist is skipped, so a killed run resumes.

The judges that made the numbers are recorded as Inspect model roles in each log (`grader`,
`refusal_classifier`; grading/inspect_provider.py), which also keeps eval_set from reusing a log
graded by a different judge.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beneficial_rl.evals.context import EvalContext
from beneficial_rl.evals.registry import EvalInfo
from beneficial_rl.models.spec import parse_spec
from beneficial_rl.utils.io import atomic_write_json, atomic_write_jsonl


@dataclass
class EvalRunConfig:
    limit: int | None = None
    # a local policy: most rows per generate call; an endpoint: concurrent requests
    batch_size: int = 64
    # a local policy: most padded prompt tokens per generate call (the memory bound of one batch)
    batch_tokens: int = 32768
    # a local policy's weights: auto = as in training (float32 on a CPU, bf16 on a GPU); recorded per eval
    dtype: str = "auto"
    max_tokens: int = 256
    temperature: float = 0.0
    seed: int = 0
    display: str = "none"
    # Evals run together as one Inspect evaluation, so a batch fills across evals instead of waiting
    # on one eval's few samples; 1 restores one eval at a time. Each eval's results land as its group
    # finishes; a killed group resumes from its Inspect logs (finished samples are reused).
    max_tasks: int = 32
    # eval_set retries of a task whose samples errored, right away and reusing its finished samples
    # (a judge endpoint that timed out recovers; a scorer bug fails again and is reported)
    retry_attempts: int = 2


def policy_model(spec: str, batch_size: int, seed: int = 0, dtype: str = "auto", batch_tokens: int = 32768) -> Any:
    """An Inspect model for a spec: local weights through `brl-hf/` (batched across evals), endpoints
    as themselves (`batch_size` concurrent requests)."""
    from inspect_ai.model import GenerateConfig, get_model

    ms = parse_spec(spec)
    if ms.kind == "endpoint":
        return get_model(ms.name, config=GenerateConfig(max_connections=batch_size, seed=seed))
    from beneficial_rl.models.inspect_local import PROVIDER
    from beneficial_rl.models.loading import local_path

    return get_model(f"{PROVIDER}/{Path(local_path(ms)).name}", config=GenerateConfig(seed=seed), model_path=spec,
                     dtype=dtype, batch_rows=batch_size, batch_tokens=batch_tokens, memoize=False)


def policy_record(model: Any) -> dict:
    """How the policy's text was made, for each eval's summary (a bf16 run reads slightly differently)."""
    api = getattr(model, "api", None)
    return {"model": str(getattr(model, "name", model)), "spec": getattr(api, "spec", None),
            "dtype": getattr(api, "dtype", None)}


def _is_local(model: Any) -> bool:
    from beneficial_rl.models.inspect_local import LocalPolicyAPI

    return isinstance(getattr(model, "api", None), LocalPolicyAPI)


def _concurrency(model: Any, batch_size: int) -> int:
    """Samples in flight: all of them for a local policy (its batcher sizes the batches), else `batch_size`."""
    return model.api.max_connections() if _is_local(model) else batch_size


def results_path(out_dir: str | Path, eval_id: str) -> Path:
    return Path(out_dir) / f"{eval_id}.jsonl"


def summary_path(out_dir: str | Path, eval_id: str) -> Path:
    return Path(out_dir) / f"{eval_id}.summary.json"


def failed_path(out_dir: str | Path, eval_id: str) -> Path:
    return Path(out_dir) / f"{eval_id}.failed.json"


def is_done(out_dir: str | Path, eval_id: str) -> bool:
    """Finished means both files landed: rows first, then the summary (a kill in between reruns it)."""
    return results_path(out_dir, eval_id).is_file() and summary_path(out_dir, eval_id).is_file()


def run_evals(
    model: str | Any,
    evals: list[EvalInfo],
    ctx: EvalContext,
    out_dir: str | Path,
    cfg: EvalRunConfig | None = None,
    on_done: Callable[[EvalInfo, dict], None] | None = None,
) -> dict[str, dict]:
    """Evaluate `model` on `evals`; return {eval_id: summary}. Finished evals are not rerun.

    Results are final only when Inspect reports success and no sample errored. Anything else (a
    scorer exception, a missing key, an exhausted judge budget, a cancelled run) is written to
    `<eval>.failed.json` with the error, its summary says `status: failed`, and the next run retries
    it: a failure is never saved as a score.
    """

    cfg = cfg or EvalRunConfig()
    out = Path(out_dir)
    summaries: dict[str, dict] = {}
    todo = []
    for info in evals:
        if is_done(out, info.id):
            summaries[info.id] = json.loads(summary_path(out, info.id).read_text())
        else:
            todo.append(info)
    if not todo:
        return summaries
    owned = isinstance(model, str)
    inspect_model = policy_model(model, cfg.batch_size, cfg.seed, cfg.dtype, cfg.batch_tokens) if owned else model
    try:
        _run_todo(inspect_model, todo, ctx, out, cfg, summaries, on_done)
    finally:
        if owned and _is_local(inspect_model):  # local weights loaded here are freed here
            inspect_model.api.close()
    atomic_write_json(out / "summary.json", summaries)
    return summaries


def _run_todo(inspect_model: Any, todo: list[EvalInfo], ctx: EvalContext, out: Path, cfg: EvalRunConfig,
              summaries: dict[str, dict], on_done: Callable[[EvalInfo, dict], None] | None) -> None:
    built: list[tuple[EvalInfo, Any]] = []
    for info in todo:
        try:
            built.append((info, info.factory(ctx)))
        except Exception as e:  # noqa: BLE001 - a task that cannot be built is a failed eval, not a crash
            summary = _record_failure(out, info, ctx, status="error", error=f"{type(e).__name__}: {e}", seconds=0.0)
            summaries[info.id] = summary
            if on_done:
                on_done(info, summary)
    # Evals with similar prompt lengths run together: a batch is padded to its longest prompt, so one
    # 1,000-token jailbreak template in a batch of 100-token questions multiplies its prefill cost.
    built.sort(key=lambda it: _prompt_chars(it[1], cfg.limit))
    for i in range(0, len(built), cfg.max_tasks):
        for info, summary in _run_chunk(inspect_model, built[i:i + cfg.max_tasks], ctx, out, cfg):
            summaries[info.id] = summary
            if on_done:
                on_done(info, summary)


def _prompt_chars(task: Any, limit: int | None) -> float:
    """Mean characters of the samples that will run (the first `limit`), a stand-in for prompt tokens."""
    lengths = []
    for k, sample in enumerate(task.dataset):
        if limit is not None and k >= limit:
            break
        inp = sample.input
        lengths.append(len(inp) if isinstance(inp, str) else sum(len(m.text) for m in inp))
    return sum(lengths) / len(lengths) if lengths else 0.0


def _run_chunk(model: Any, chunk: list[tuple[EvalInfo, Any]], ctx: EvalContext, out: Path,
               cfg: EvalRunConfig) -> list[tuple[EvalInfo, dict]]:
    """Run several evals as one Inspect eval set so the local model's batches fill across evals
    (Inspect's hf provider batches every queued request, whichever task it comes from); each eval
    still gets its own log, its own results file and its own success check."""
    import inspect_ai
    from inspect_ai import task_with
    from inspect_ai.model import GenerateConfig

    from beneficial_rl.grading.inspect_provider import roles_for

    start = time.time()
    done: list[tuple[EvalInfo, dict]] = []
    tasks, infos = [], []
    for info, task in chunk:
        # named by eval id: the log, `inspect view` and eval_set's task identity all use it
        tasks.append(task_with(task, name=info.id, version=content_version(info, task)))
        infos.append(info)
    if not tasks:
        return done
    try:
        _, logs = inspect_ai.eval_set(
            tasks,
            log_dir=str(out / "inspect"),
            model=model,
            model_roles=roles_for(ctx.grader, ctx.refusal) or None,
            retry_attempts=cfg.retry_attempts,
            log_dir_allow_dirty=True,  # several runs (other evals, persona variants) share the folder
            limit=cfg.limit,
            display=cfg.display,  # type: ignore[arg-type]
            max_connections=_concurrency(model, cfg.batch_size),
            max_samples=_concurrency(model, cfg.batch_size),
            max_tasks=len(tasks),
            # every sample runs (each error is counted, none hidden), then any error fails the task,
            # so eval_set retries it now and on the next run instead of keeping it as a success
            fail_on_error=True,
            continue_on_fail=True,
            score_display=False,
            ctl_server=False,
            **GenerateConfig(max_tokens=cfg.max_tokens, temperature=cfg.temperature,
                             seed=cfg.seed).model_dump(exclude_none=True),
        )
    except Exception as e:  # noqa: BLE001 - recorded as failed evals, retried next run
        return done + [(info, _record_failure(out, info, ctx, status="error", error=f"{type(e).__name__}: {e}",
                                              seconds=time.time() - start)) for info in infos]
    by_task = {_log_task(log): log for log in logs}
    for info in infos:
        log = by_task.get(info.id)
        if log is None:
            done.append((info, _record_failure(out, info, ctx, status="missing",
                                               error="eval_set returned no log for this eval",
                                               seconds=time.time() - start)))
            continue
        log = _with_samples(log)
        done.append((info, _finish(out, info, ctx, log, seconds=_log_seconds(log, time.time() - start),
                                   policy=policy_record(model))))
    return done


def content_version(info: EvalInfo, task: Any) -> str:
    """A hash of the eval's items and its module's source, as the task version: eval_set reuses an
    earlier log only for the same task identity, which includes the version, so a log made before the
    items or the scoring code changed is rerun instead of being reused."""
    import hashlib
    import inspect as pyinspect

    h = hashlib.sha256()
    try:
        h.update(Path(pyinspect.getsourcefile(info.factory) or "").read_bytes())
    except (OSError, TypeError):
        h.update(info.id.encode())
    for sample in task.dataset:  # message ids are random per load, so only roles and texts count
        turns = sample.input if isinstance(sample.input, str) else [(m.role, m.text) for m in sample.input]
        h.update(json.dumps([sample.id, turns, sample.target, sample.choices, sample.metadata], sort_keys=True,
                            default=str).encode())
    return h.hexdigest()[:16]


def _log_task(log: Any) -> str | None:
    return getattr(getattr(log, "eval", None), "task", None)


def _log_path(log: Any) -> str | None:
    """The log's local path (a log eval_set reused says `file://...`)."""
    location = getattr(log, "location", None)
    if location and location.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(location).path)
    return location


def _with_samples(log: Any) -> Any:
    """eval_set returns only the header of a log it reused from an earlier run: read its samples."""
    location = getattr(log, "location", None)
    if getattr(log, "samples", None) is None and location:
        from inspect_ai.log import read_eval_log

        return read_eval_log(location)
    return log


def _log_seconds(log: Any, fallback: float) -> float:
    """The eval's own wall time from its log (evals in one chunk overlap, so the chunk's is shared)."""
    from datetime import datetime

    stats = getattr(log, "stats", None)
    try:
        return (datetime.fromisoformat(stats.completed_at) - datetime.fromisoformat(stats.started_at)).total_seconds()
    except (AttributeError, TypeError, ValueError):
        return fallback


def _finish(out: Path, info: EvalInfo, ctx: EvalContext, log: Any, seconds: float, policy: dict | None = None) -> dict:
    rows = sample_rows(log)
    errors = [r for r in rows if r["error"]]
    if log.status != "success" or errors:
        why = getattr(getattr(log, "error", None), "message", None)
        if errors:
            why = f"{len(errors)} of {len(rows)} samples errored; first: {errors[0]['error']}" + (f"; {why}" if why else "")
        return _record_failure(out, info, ctx, status=str(log.status), error=why or f"Inspect status {log.status}",
                               seconds=seconds, rows=rows)
    atomic_write_jsonl(results_path(out, info.id), rows)
    summary = summarize(info, rows, ctx, seconds=seconds, status="success") | {
        "inspect_log": _log_path(log),  # `inspect view` opens it; the report links it
        "policy": policy or {}}
    atomic_write_json(summary_path(out, info.id), summary)
    failed_path(out, info.id).unlink(missing_ok=True)
    return summary


def _record_failure(out: Path, info: EvalInfo, ctx: EvalContext, status: str, error: str, seconds: float,
                    rows: list[dict] | None = None) -> dict:
    """A failed eval leaves no results file (so a rerun retries it) and a record of why."""
    summary = summarize(info, rows or [], ctx, seconds=seconds, status="failed") | {
        "inspect_status": status, "error": error}
    atomic_write_json(failed_path(out, info.id), summary)
    return summary


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
            "refusal_source": meta.get("refusal_source"),
            # a sample standing for several units (IFEval: its instructions) says so; means pool the units
            **({"weight": float(meta["weight"])} if meta.get("weight") is not None else {}),
            "response": s.output.completion if s.output else "",
            "error": str(s.error.message) if getattr(s, "error", None) else None,
            "meta": {k: v for k, v in meta.items() if k not in ("refusal", "refusal_source")},
        })
    return rows


def summarize(info: EvalInfo, rows: list[dict], ctx: EvalContext, seconds: float | None = None,
              status: str = "success") -> dict:
    """Per-eval numbers plus their provenance: which grader and refusal classifier made them (read from
    the context that ran, never from a config string), what was excluded and why, what errored."""
    ok = [r for r in rows if not r.get("error")]
    scored = [r["score"] for r in ok if r["score"] is not None]
    reasons = Counter(r.get("meta", {}).get("exclusion_reason") or "not scorable" for r in ok if r["score"] is None)
    refusal_sources = Counter(r.get("refusal_source") or "unknown" for r in ok)
    grader = ctx.grader_record()
    refusal = ctx.refusal_record() | {"fallbacks": refusal_sources.get("offline fallback", 0)}
    return {
        "eval": info.id,
        "category": info.category,
        "role": info.role,
        "refusal_scored": info.refusal_scored,
        "domains": list(info.domains),
        "status": status,
        "n": len(rows),
        "n_scored": len(scored),
        "n_excluded": len(ok) - len(scored),
        "excluded_reasons": dict(reasons),
        "n_errors": len(rows) - len(ok),
        "mean": weighted_mean([r for r in ok if r["score"] is not None]),
        "refusal_rate": sum(r["refusal"] for r in ok) / len(ok) if ok else None,
        "scorer": info.scorer,
        "grader": grader if info.judge_scored else {"name": info.scorer, "approximate": False, "protocol": None},
        "refusal_classifier": refusal,
        # the number itself is approximate when an approximate grader or classifier produced it
        "approximate": bool((info.judge_scored and grader["approximate"])
                            or (info.refusal_scored and refusal["approximate"])),
        "seconds": round(seconds, 1) if seconds is not None else None,
    }


def eval_line(summary: dict) -> str:
    """One line per finished eval for people: rounded mean, n scored / excluded / errored."""
    if summary["status"] != "success":
        return f"{summary['eval']}: FAILED ({summary.get('error', 'unknown error')}); a rerun retries it"
    mean = "n/a" if summary["mean"] is None else f"{summary['mean']:.3f}"
    extra = f", {summary['n_excluded']} excluded" if summary["n_excluded"] else ""
    return f"{summary['eval']}: mean {mean} (n={summary['n_scored']}{extra})"


def weighted_mean(rows: list[dict]) -> float | None:
    """Mean score; rows that carry a `weight` (units they stand for) are pooled by it."""
    w = [float(r.get("weight", 1.0)) for r in rows]
    total = sum(w)
    return sum(r["score"] * wi for r, wi in zip(rows, w, strict=True)) / total if total else None
