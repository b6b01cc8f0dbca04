"""Eval-stage wall time on CPU: the quick suite one eval at a time (the old path) vs all evals run
together as one Inspect evaluation (the new default), on the same model, items and token budget.

Run by hand (not a test): both configurations run in one process, one after the other, and the
ratio is printed. Target: new >= 3x faster. The quickstart's settings are the defaults:

    OMP_NUM_THREADS=2 HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_evals.py

`--new-batch-size` exists because running evals together is what makes bigger batches usable: one
eval at a time, a batch never holds more than that eval's `--limit` samples. The new path groups
evals of similar prompt length (`--max-tasks` per group), since a batch is padded to its longest
prompt.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from beneficial_rl.evals.context import build_context
from beneficial_rl.evals.runner import EvalRunConfig, policy_model, run_evals
from beneficial_rl.evals.suite import select


def timed(model_spec: str, infos: list, ctx, cfg: EvalRunConfig) -> tuple[float, int]:
    model = policy_model(model_spec, cfg.batch_size)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summaries = run_evals(model, infos, ctx, tmp, cfg)
        seconds = time.perf_counter() - start
    failed = [e for e, s in summaries.items() if s["status"] != "success"]
    if failed:
        raise SystemExit(f"evals failed, timing is meaningless: {failed}")
    return seconds, sum(s["n"] for s in summaries.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="embedded:smollm2-135m-instruct")
    ap.add_argument("--suite", default="quick")
    ap.add_argument("--evals", help="Comma-separated eval ids instead of the suite.")
    ap.add_argument("--limit", type=int, default=6, help="Samples per eval (quickstart: 6).")
    ap.add_argument("--batch-size", type=int, default=8, help="Old path's batch (quickstart: 8).")
    ap.add_argument("--new-batch-size", type=int, default=16, help="New path's batch.")
    ap.add_argument("--max-tasks", type=int, default=EvalRunConfig().max_tasks,
                    help="New path: evals run together (grouped by prompt length); default as in brl run.")
    ap.add_argument("--max-tokens", type=int, default=96, help="Quickstart: 96.")
    ap.add_argument("--json", help="Also write the figures here.")
    args = ap.parse_args()

    infos = [e for e in select(None if args.evals else args.suite, args.evals.split(",") if args.evals else None)
             if e.available()]
    ctx = build_context("offline", max_tokens=args.max_tokens)
    runs = {"old: one eval at a time": EvalRunConfig(limit=args.limit, batch_size=args.batch_size,
                                                     max_tokens=args.max_tokens, max_tasks=1),
            "new: evals together": EvalRunConfig(limit=args.limit, batch_size=args.new_batch_size,
                                                 max_tokens=args.max_tokens, max_tasks=args.max_tasks)}
    out: dict[str, float] = {"evals": len(infos)}
    for label, cfg in runs.items():
        seconds, n = timed(args.model, infos, ctx, cfg)
        out[label] = seconds
        print(f"{label:>26}: {len(infos)} evals, {n} samples in {seconds:.1f} s ({n / seconds:.3f} samples/s)")
    ratio = out["old: one eval at a time"] / out["new: evals together"]
    out["speedup"] = ratio
    print(f"new / old speed-up = {ratio:.2f}x (target >= 3x)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
