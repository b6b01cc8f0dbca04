"""Eval-stage wall time on CPU: the quick suite the old way vs the new default, side by side in one run.

Old (the quickstart before): Inspect's `hf/` provider, float32, one eval at a time, batches of 8.
New (`brl run`'s default): every eval in one Inspect evaluation on `brl-hf/` (one worker batches
requests across evals, grouped by prompt length: models/batch_plan.py; greedy decoding that skips
padding and ended rows: models/greedy.py), float32 as in training. A
third run, the new path with `dtype: bfloat16`, shows what bf16 adds on a CPU with AMX: it is an
opt-in because it rounds away small CPU-trained updates (benchmarks/bench_bf16_delta.py). Same model,
items and token budget in all three; greedy decoding. Each runs in a fresh child process (the
figure is its `run_evals` wall time, model loading excluded), so none inherits another's heap or threads.

Speed is half the question: the script also prints how often the runs' responses and scores agree
per sample (batching must not change a greedy reply; bf16 arithmetic does). Run by hand (not a
test). Target: new >= 3x faster than old.

    OMP_NUM_THREADS=2 HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_evals.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from beneficial_rl.evals.context import build_context
from beneficial_rl.evals.runner import EvalRunConfig, policy_model, results_path, run_evals
from beneficial_rl.evals.suite import select


def old_model(spec: str, batch_size: int):
    """The previous default: Inspect's own hf provider, float32 on CPU."""
    from inspect_ai.model import GenerateConfig, get_model

    from beneficial_rl.models.loading import local_path

    path = local_path(spec)
    return get_model(f"hf/{Path(path).name}", config=GenerateConfig(max_connections=batch_size, seed=0),
                     model_path=path, device="cpu", do_sample=False, memoize=False)


def timed(model, infos: list, ctx, cfg: EvalRunConfig) -> tuple[float, dict[tuple[str, str], dict]]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summaries = run_evals(model, infos, ctx, tmp, cfg)
        seconds = time.perf_counter() - start
        failed = [e for e, s in summaries.items() if s["status"] != "success"]
        if failed:
            raise SystemExit(f"evals failed, timing is meaningless: {failed}")
        rows = {}
        for info in infos:
            for line in results_path(tmp, info.id).read_text().splitlines():
                r = json.loads(line)
                rows[(info.id, r["id"])] = r
    return seconds, rows


def agreement(a: dict, b: dict) -> str:
    keys = sorted(set(a) & set(b))
    same_text = sum(a[k]["response"] == b[k]["response"] for k in keys)
    same_score = sum(a[k]["score"] == b[k]["score"] for k in keys)
    return f"identical responses {same_text}/{len(keys)}, identical scores {same_score}/{len(keys)}"


def run_one(args: argparse.Namespace, infos: list, label: str) -> dict:
    """One path's run, in this process: seconds and per-sample rows."""
    ctx = build_context("offline", max_tokens=args.max_tokens)
    new = EvalRunConfig(limit=args.limit, max_tokens=args.max_tokens)
    runs = {
        OLD: (lambda: old_model(args.model, args.old_batch_size),
              EvalRunConfig(limit=args.limit, batch_size=args.old_batch_size, max_tokens=args.max_tokens, max_tasks=1)),
        NEW: (lambda: policy_model(args.model, new.batch_size, dtype=new.dtype, batch_tokens=new.batch_tokens), new),
        BF16: (lambda: policy_model(args.model, new.batch_size, dtype="bfloat16", batch_tokens=new.batch_tokens), new),
    }
    make, cfg = runs[label]
    model = make()
    seconds, rows = timed(model, infos, ctx, cfg)
    return {"seconds": seconds, "dtype": getattr(model.api, "dtype", "float32"),
            "rows": {f"{e}\t{i}": r for (e, i), r in rows.items()}}


OLD, NEW, BF16 = "old: hf/, one eval at a time", "new: brl-hf/, all evals together", "new path with dtype bfloat16"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="embedded:smollm2-135m-instruct")
    ap.add_argument("--suite", default="quick")
    ap.add_argument("--evals", help="Comma-separated eval ids instead of the suite.")
    ap.add_argument("--limit", type=int, default=6, help="Samples per eval (quickstart: 6).")
    ap.add_argument("--old-batch-size", type=int, default=8, help="Old path's batch (the old quickstart: 8).")
    ap.add_argument("--max-tokens", type=int, default=96, help="Quickstart: 96.")
    ap.add_argument("--json", help="Also write the figures here.")
    ap.add_argument("--only", choices=(OLD, NEW, BF16), help=argparse.SUPPRESS)  # one path, in a child process
    args = ap.parse_args()

    infos = [e for e in select(None if args.evals else args.suite, args.evals.split(",") if args.evals else None)
             if e.available()]
    if args.only:
        Path(args.json).write_text(json.dumps(run_one(args, infos, args.only)))
        return
    out: dict = {"evals": len(infos), "limit": args.limit, "max_tokens": args.max_tokens, "seconds": {}}
    rows = {}
    for label in (OLD, NEW, BF16):
        # each path in a fresh process, so that none runs on a heap, thread pools or caches another left behind
        with tempfile.TemporaryDirectory() as tmp:
            # the last --json wins, so a --json given to this run does not reach the child
            child = [sys.executable, __file__, *sys.argv[1:], "--only", label, "--json", f"{tmp}/run.json"]
            subprocess.run(child, check=True)
            result = json.loads(Path(tmp, "run.json").read_text())
        rows[label] = result["rows"]
        out["seconds"][label] = round(result["seconds"], 1)
        print(f"{label:>38}: {len(infos)} evals, {len(rows[label])} samples in {result['seconds']:.1f} s "
              f"({len(rows[label]) / result['seconds']:.3f} samples/s; weights {result['dtype']})", flush=True)
    s = out["seconds"]
    out["speedup"] = s[OLD] / s[NEW]
    out["speedup_bfloat16"] = s[OLD] / s[BF16]
    print(f"new / old speed-up = {out['speedup']:.2f}x (target >= 3x); with dtype bfloat16: {out['speedup_bfloat16']:.2f}x")
    for a, b in ((OLD, NEW), (NEW, BF16)):
        line = agreement(rows[a], rows[b])
        out[f"agreement: {a} | {b}"] = line
        print(f"agreement, {a} vs {b}: {line}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
