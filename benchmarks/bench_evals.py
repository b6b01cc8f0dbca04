"""Eval throughput: samples per second of quick-suite evals on CPU, batched vs one at a time.

Run by hand (not a test): both configurations run in one process on the same model, evals, items
and token budget, and the ratio is printed. Target: batched >= 4x.

    OMP_NUM_THREADS=2 HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_evals.py --limit 8 --batch-size 8
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from beneficial_rl.evals.context import build_context
from beneficial_rl.evals.registry import select
from beneficial_rl.evals.runner import EvalRunConfig, policy_model, run_evals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="embedded:smollm2-135m-instruct")
    ap.add_argument("--evals", default="rho_overrefusal,bbq,harmbench,everyday_refusal",
                    help="Comma-separated quick-suite evals (programmatic scorers keep grading out of the timing).")
    ap.add_argument("--limit", type=int, default=8, help="Samples per eval.")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--json", help="Also write the figures here.")
    args = ap.parse_args()

    infos = select(None, args.evals.split(","))
    ctx = build_context("offline", max_tokens=args.max_tokens)
    out: dict[str, float] = {}
    for label, bs in [("one_at_a_time", 1), ("batched", args.batch_size)]:
        model = policy_model(args.model, bs)
        cfg = EvalRunConfig(limit=args.limit, batch_size=bs, max_tokens=args.max_tokens)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            summaries = run_evals(model, infos, ctx, tmp, cfg)
            seconds = time.perf_counter() - start
        n = sum(s["n"] for s in summaries.values())
        out[f"{label}_samples_per_s"] = n / seconds
        print(f"{label:>14}: {n} samples in {seconds:.1f} s = {n / seconds:.3f} samples/s")
    ratio = out["batched_samples_per_s"] / out["one_at_a_time_samples_per_s"]
    out["ratio"] = ratio
    print(f"batched / one-at-a-time = {ratio:.2f}x (target >= 4x)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
