"""The standard RL slice at a glance: items and distinct prompts per family, prompt sizes, verifier
throughput, the degenerate panel's rewards per family, and (with --overlap) eval overlaps.

Run by hand (not a test); everything is generated offline:

    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_standard_data.py
    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_standard_data.py --items 2000 --overlap

Throughput is measured on two kinds of reply: the panel's trivial replies (what most early
completions look like: cheap, nothing runs) and a correct reference reply where the family has
one (for code this runs the unit tests in the sandbox, one process per reply).
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import time
from itertools import islice

from beneficial_rl.grading.degenerate import POLICIES, PanelContext, responses
from beneficial_rl.training.config import default_sources
from beneficial_rl.training.tasks import FAMILY, GENERATORS, StandardItem, verify


def reference_reply(item: StandardItem) -> str | None:
    """A reply that earns full reward, built from the target (None where the family has none)."""
    t = item.target
    if item.reward_kind == "math":
        return f"Reasoning...\nAnswer: {t}"
    if item.reward_kind == "qa":
        return "Answer: " + (", ".join(t["set"]) if "set" in t else t["aliases"][0])
    if item.reward_kind == "json":
        return json.dumps(t["expected"])
    if item.reward_kind == "code":
        rows = {}
        for test in t["tests"]:
            call = ast.parse(test).body[0].test
            rows[repr(tuple(ast.literal_eval(a) for a in call.left.args))] = ast.literal_eval(call.comparators[0])
        return f"```python\n_T = {rows!r}\ndef {t['entry']}(*a):\n    return _T[repr(a)]\n```"
    return None


def measure(kind: str, n: int, n_reference: int, seed: str) -> dict:
    items = list(islice(GENERATORS[kind](seed), n))
    prompts = [i.messages[-1]["content"] for i in items]
    panel = dict.fromkeys(POLICIES, 0.0)
    start, calls = time.perf_counter(), 0
    for item in items:
        for policy, reply in responses(PanelContext(user_text=item.messages[-1]["content"])).items():
            panel[policy] += verify(item.reward_kind, reply, item.target) / n
            calls += 1
    panel_rate = calls / (time.perf_counter() - start)
    refs = [(i, reference_reply(i)) for i in items[:n_reference]]
    refs = [(i, r) for i, r in refs if r is not None]
    ref_rate, ref_mean = None, None
    if refs:
        start = time.perf_counter()
        ref_mean = statistics.mean(verify(i.reward_kind, r, i.target) for i, r in refs)
        ref_rate = len(refs) / (time.perf_counter() - start)
    words = [len(p.split()) for p in prompts]
    return {"kind": kind, "family": FAMILY[kind], "items": n, "distinct_prompts": len(set(prompts)),
            "prompt_words_mean": statistics.mean(words), "prompt_words_max": max(words),
            "panel_verify_per_s": panel_rate, "reference_verify_per_s": ref_rate, "reference_mean": ref_mean,
            "panel": panel, "panel_max": max(panel.values())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=2000, help="items drawn per source")
    ap.add_argument("--reference", type=int, default=200, help="reference replies verified per source (code: sandbox runs)")
    ap.add_argument("--seed", default="bench")
    ap.add_argument("--overlap", action="store_true", help="also count overlaps with every offline eval item")
    ap.add_argument("--json", help="write the rows to this JSON file")
    args = ap.parse_args()

    kinds = [s.kind for s in default_sources()]
    rows = [measure(k, args.items, args.reference, args.seed) for k in kinds]
    if args.overlap:
        from beneficial_rl.training.tasks.contamination import eval_index

        index = eval_index()
        for row in rows:
            row["eval_overlaps"] = sum(bool(index.overlaps(i.messages[-1]["content"]))
                                       for i in islice(GENERATORS[row["kind"]](args.seed), args.items))

    print(f"{'source':<14}{'family':<13}{'items':>6}{'distinct':>9}{'words':>7}{'max':>5}"
          f"{'panel v/s':>11}{'ref v/s':>9}{'ref':>6}{'panel max':>10}" + ("  overlaps" if args.overlap else ""))
    for r in rows:
        ref_rate = f"{r['reference_verify_per_s']:.0f}" if r["reference_verify_per_s"] else "-"
        ref_mean = f"{r['reference_mean']:.2f}" if r["reference_mean"] is not None else "-"
        print(f"{r['kind']:<14}{r['family']:<13}{r['items']:>6}{r['distinct_prompts']:>9}{r['prompt_words_mean']:>7.0f}"
              f"{r['prompt_words_max']:>5}{r['panel_verify_per_s']:>11.0f}{ref_rate:>9}{ref_mean:>6}{r['panel_max']:>10.3f}"
              + (f"{r['eval_overlaps']:>10}" if args.overlap else ""))
    families = sorted({r["family"] for r in rows})
    print(f"\n{len(families)} families, {sum(r['distinct_prompts'] for r in rows)} distinct prompts in "
          f"{sum(r['items'] for r in rows)} draws")
    print("\nDegenerate panel: mean reward per family (all sources of the family pooled)")
    print(f"{'policy':<14}" + "".join(f"{f:>13}" for f in families))
    for policy in POLICIES:
        cells = []
        for f in families:
            fam = [r for r in rows if r["family"] == f]
            cells.append(sum(r["panel"][policy] * r["items"] for r in fam) / sum(r["items"] for r in fam))
        print(f"{policy:<14}" + "".join(f"{c:>13.4f}" for c in cells))
    if args.json:
        from pathlib import Path

        from beneficial_rl.utils.io import atomic_write_text

        atomic_write_text(Path(args.json), json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
