"""The report: content from results only, caveats stated, and it renders in a real browser."""

import shutil
import subprocess

import pytest

from beneficial_rl.analysis.report import render
from beneficial_rl.analysis.stats import compare_arms, headline


def synthetic_results():
    base = {"gsm8k": [{"id": f"i{k}", "score": 0.0} for k in range(20)],
            "harmbench": [{"id": f"i{k}", "score": float(k % 2)} for k in range(20)]}
    treat = {"gsm8k": [{"id": f"i{k}", "score": 1.0} for k in range(20)],
             "harmbench": [{"id": f"i{k}", "score": 0.5} for k in range(20)]}
    comp = compare_arms(base, treat)
    h = headline(comp)
    return {
        "name": "synthetic", "model": "embedded:smollm2-135m-instruct",
        "judge": {"name": "offline (approximate)", "approximate": True}, "limit": 20,
        "comparisons": {"b_vs_c": {
            "title": "beneficial vs compute_matched_baseline", "treatment": "beneficial",
            "baseline": "compute_matched_baseline", "results": [r.to_dict() | {"category": "x"} for r in comp],
            "headline": h.__dict__, "sentence": h.sentence(), "compute_matched": False,
            "compute_note": "differs by 3.00%", "by_category": {"x": {"mean_delta": 0.5, "evals": 2}},
            "refusal_controlled": {"sentence": h.sentence()}}},
        "held_out": {"beneficial": {"truthfulness": 0.6}, "compute_matched_baseline": {"truthfulness": 0.4}},
        "arms": {"beneficial": {"reward_curves": {"trait": [(1, 0.1), (2, 0.3)]}}},
        "ledgers": {"beneficial": {"steps": 2, "completions": 8, "generated_tokens": 50, "trained_tokens": 80,
                                   "policy_flops": 1e12, "judge_calls": 0, "wall_seconds": 3.0}},
        "compute_match": [{"pair": "beneficial vs compute_matched_baseline", "matched": False, "rel_diff": 0.03,
                           "tolerance": 0.02}],
        "skipped": [{"eval": "xstest", "reason": "needs a local copy (set BRL_DATA_XSTEST)"}],
        "persistence": {"retention": {"harmful_medical": {"beneficial": {"retention": 0.7, "ci_low": 0.5, "ci_high": 0.9}}},
                        "dose_response": {"beneficial": [{"dose": 0, "mean": 0.5}, {"dose": 10, "mean": 0.4}]}},
        "transcripts": [],
    }


def test_report_states_caveats_and_numbers(tmp_path):
    paths = render(synthetic_results(), tmp_path)
    md = paths["md"].read_text()
    assert "improved on 1 of 2 evaluations" in md
    assert "approximate offline grader" in md
    assert "Not compute-matched" in md and "NOT matched" in md
    assert "xstest" in md and "BRL_DATA_XSTEST" in md
    assert len(list((tmp_path / "figures").glob("*.png"))) >= 5


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian chromium (installed by .ci/run)")
def test_report_renders_in_headless_chromium(tmp_path):
    paths = render(synthetic_results(), tmp_path)
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", paths["html"].as_uri()],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    dom = out.stdout
    import re

    total = int(re.search(r'data-figures="(\d+)"', dom).group(1))
    rendered = int(re.search(r'data-figures-rendered="(\d+)"', dom).group(1))
    assert total >= 5 and rendered == total
    assert "Uncaught" not in out.stderr  # no JavaScript errors on load
