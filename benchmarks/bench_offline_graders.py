"""How far the three offline detectors can be trusted, and how fast they are (run by hand, not a test).

    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_offline_graders.py [--json out.json]

Prints:
1. the refusal classifier's accuracy, precision and recall on its held-out test split
   (src/beneficial_rl/grading/data/refusal_test.jsonl; never used for tuning), per category too;
2. the injection detector's recall on the adversarial fixtures (all styles, and separately the
   styles held out while the detector changed) and its false positives on the benign look-alikes
   and on every turn of the scenario library;
3. responses per second: the refusal classifier (first call includes loading MiniLM; the rate is
   measured on a second, uncached pass over fresh copies), the injection detector, and the whole
   offline grader on a mixed batch (target >= 1,000/s).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "grading" / "fixtures"


def _fixture(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


def refusal_figures() -> dict:
    from beneficial_rl.grading.refusal import OfflineRefusalClassifier
    from beneficial_rl.grading.refusal_set import load

    rows = load("test")
    convs = [[{"role": "user", "content": r["request"]}] for r in rows]
    clf = OfflineRefusalClassifier()
    t = time.perf_counter()
    preds = clf.classify_many(convs, [r["response"] for r in rows])
    first = time.perf_counter() - t
    labels = [r["refusal"] for r in rows]
    tp = sum(p and y for p, y in zip(preds, labels, strict=True))
    fp = sum(p and not y for p, y in zip(preds, labels, strict=True))
    per_cat = Counter(r["category"] for r, p in zip(rows, preds, strict=True) if p != r["refusal"])
    # throughput without cache hits: fresh text for every response
    fresh = OfflineRefusalClassifier()
    copies = [r["response"] + f" ({i})" for i, r in enumerate(rows)]
    fresh.classify_many(convs[:2], copies[:2])  # load the model
    t = time.perf_counter()
    fresh.classify_many(convs, copies)
    rate = len(rows) / (time.perf_counter() - t)
    return {
        "n": len(rows), "refusals": sum(labels),
        "accuracy": sum(p == y for p, y in zip(preds, labels, strict=True)) / len(rows),
        "precision": tp / max(1, tp + fp), "recall": tp / sum(labels),
        "errors_by_category": dict(per_cat), "first_pass_s_with_model_load": round(first, 2),
        "responses_per_s": round(rate, 1), "embedded_share": round(fresh.embedded / (2 * len(rows)), 3),
    }


def injection_figures() -> dict:
    from beneficial_rl.grading.injection import detect_injection
    from beneficial_rl.scenarios.io import load_library
    from beneficial_rl.scenarios.schema import RubricItem

    def flagged(row: dict) -> bool:
        return detect_injection(row["response"], [RubricItem.model_validate(x) for x in row["rubric"]]).flagged

    held_out = _fixture("injection_heldout.jsonl")
    adversarial = _fixture("injection_adversarial.jsonl") + _fixture("injection_styles.jsonl") + held_out
    benign = _fixture("injection_benign.jsonl") + _fixture("injection_benign_lookalikes.jsonl")
    library = [(m.content, s.rubric) for split in ("train", "eval") for s in load_library(split) for m in s.messages]
    missed = [r["id"] for r in adversarial if not flagged(r)]
    texts = [r["response"] for r in adversarial + benign] + [t for t, _ in library]
    t = time.perf_counter()
    for text in texts:
        detect_injection(text)
    rate = len(texts) / (time.perf_counter() - t)
    return {
        "adversarial": len(adversarial), "styles": len({r.get("style", "grader_address/legacy") for r in adversarial}),
        "recall": 1 - len(missed) / len(adversarial), "missed": missed,
        "held_out_recall_now": sum(flagged(r) for r in held_out) / len(held_out),
        "benign": len(benign), "benign_false_positives": sum(flagged(r) for r in benign),
        "library_turns": len(library), "library_false_positives": sum(detect_injection(t, r).flagged for t, r in library),
        "responses_per_s": round(rate, 1),
    }


def grader_rate(n: int = 2000) -> dict:
    from beneficial_rl.grading import OfflineGrader
    from beneficial_rl.grading.base import GradeRequest
    from beneficial_rl.grading.degenerate import PanelContext, responses
    from beneficial_rl.scenarios.io import load_library

    scenarios = load_library("train")

    def batch(tag: str) -> list[GradeRequest]:
        reqs = []
        for i in range(n):
            s = scenarios[i % len(scenarios)]
            panel = list(responses(PanelContext(user_text=s.user_text, criteria=[c.criterion for c in s.rubric])).values())
            reqs.append(GradeRequest(id=str(i), messages=s.chat(), response=f"{panel[i % len(panel)]} {tag} {i}.",
                                     rubric=s.rubric))
        return reqs

    grader = OfflineGrader()
    grader.grade_now(batch("Warm-up"))  # load the toxicity model, compile every check pattern once
    reqs = batch("Variant")
    t = time.perf_counter()
    grader.grade_now(reqs)
    return {"n": n, "responses_per_s": round(n / (time.perf_counter() - t), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    out = {"refusal": refusal_figures(), "injection": injection_figures(), "offline_grader": grader_rate()}
    r, j, g = out["refusal"], out["injection"], out["offline_grader"]
    print(f"refusal classifier (test split, n={r['n']}, {r['refusals']} refusals): accuracy {r['accuracy']:.3f}, "
          f"precision {r['precision']:.3f}, recall {r['recall']:.3f}; errors by category {r['errors_by_category']}")
    print(f"  {r['responses_per_s']} responses/s uncached ({r['embedded_share']:.0%} of texts embedded); "
          f"first pass incl. model load {r['first_pass_s_with_model_load']} s")
    print(f"injection detector: recall {j['recall']:.3f} on {j['adversarial']} adversarial fixtures ({j['styles']} styles), "
          f"held-out styles now {j['held_out_recall_now']:.3f}; false positives {j['benign_false_positives']}/{j['benign']} "
          f"benign look-alikes, {j['library_false_positives']}/{j['library_turns']} library turns; "
          f"{j['responses_per_s']} responses/s")
    print(f"offline grader: {g['responses_per_s']} responses/s on {g['n']} mixed panel replies to library scenarios")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
