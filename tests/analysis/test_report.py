"""The report: content from results only, caveats stated, and it renders in a real browser."""

import shutil
import subprocess

import pytest

from beneficial_rl.analysis.compare import compare_pair
from beneficial_rl.analysis.report import render


def synthetic_results():
    base = {"gsm8k": [{"id": f"i{k}", "score": 0.0} for k in range(20)],
            "harmbench": [{"id": f"i{k}", "score": float(k % 2)} for k in range(20)]}
    treat = {"gsm8k": [{"id": f"i{k}", "score": 1.0} for k in range(20)],
             "harmbench": [{"id": f"i{k}", "score": 0.5} for k in range(20)]}
    meta = {"gsm8k": {"role": "capability"}, "harmbench": {"role": "ood", "refusal_scored": True, "approximate": True}}
    comp = compare_pair(base, treat, meta)
    return {
        "name": "synthetic", "model": "embedded:smollm2-135m-instruct",
        "judge": {"name": "offline (approximate)", "approximate": True,
                  "refusal_classifiers": ["offline refusal (phrases, approximate)"], "refusal_fallbacks": 0},
        "limit": 20,
        "comparisons": {"b_vs_c": {
            "title": "beneficial vs compute_matched_baseline", "treatment": "beneficial",
            "baseline": "compute_matched_baseline", **comp, "compute_matched": False,
            "compute_note": "differs by 3.00%", "by_category": {"x": {"mean_delta": 0.5, "evals": 2}},
            "missing": [{"eval": "xstest_like", "arm": "beneficial", "reason": "failed: scorer exploded"}]}},
        "held_out": {"beneficial": {"truthfulness": 0.6}, "compute_matched_baseline": {"truthfulness": 0.4}},
        "arms": {"beneficial": {"reward_curves": {"trait": [(1, 0.1), (2, 0.3)]}}},
        "ledgers": {"beneficial": {"steps": 2, "completions": 8, "generated_tokens": 50, "trained_tokens": 80,
                                   "policy_flops": 1e12, "judge_calls": 0, "wall_seconds": 3.0}},
        "compute_match": [{"pair": "beneficial vs compute_matched_baseline", "matched": False, "rel_diff": 0.03,
                           "tolerance": 0.02, "metric": "padded",
                           "rel_diff_by_metric": {"budget": 0.0, "padded": 0.03, "realized": 0.4},
                           "judge": {"beneficial": {"calls": 0, "input_tokens": 0, "output_tokens": 0}}}],
        "skipped": [{"eval": "xstest", "reason": "needs a local copy (set BRL_DATA_XSTEST)"}],
        "evals": {"harmbench": {"role": "ood", "approximate": True, "per_arm": {"beneficial": {
            "status": "success", "n_scored": 20, "n_excluded": 1, "excluded_reasons": {"judge failure": 1},
            "n_errors": 0, "grader": {"name": "refusal classifier"}, "approximate": True,
            "inspect_log": "/nowhere/logs/harmbench.eval"}}}},
        "persistence": {"retention": {"harmful_medical": {"beneficial": {"retention": 0.7, "ci_low": 0.5, "ci_high": 0.9}}},
                        "dose_response": {"beneficial": [{"dose": 0, "mean": 0.5}, {"dose": 10, "mean": 0.4}]}},
        "transcripts": [{"eval": "harmbench", "id": "i1", "delta": -0.5, "prompt": "# not a heading",
                         "baseline_arm": "b", "treatment_arm": "t", "baseline_score": 1.0, "treatment_score": 0.5,
                         "baseline_response": "| a | table |\n- a list\n<script>alert(1)</script>\n```\nfence",
                         "treatment_response": "**bold** <b>tag</b>"}],
    }


def test_report_states_caveats_and_numbers(tmp_path):
    paths = render(synthetic_results(), tmp_path)
    md = paths["md"].read_text()
    assert "improved on 0 of 1 out-of-distribution evaluations" in md
    assert "Capabilities (non-regression" in md and "gsm8k" in md
    assert "not applicable (the score is the refusal decision): harmbench" in md
    assert "approximate offline grader" in md and "(approximate grader)" in md
    assert "Not compute-matched" in md and "NOT matched" in md and "40.00%" in md
    assert "xstest_like" in md and "failed: scorer exploded" in md
    assert "xstest" in md and "BRL_DATA_XSTEST" in md
    assert "judge failure: 1" in md
    assert len(list((tmp_path / "figures").glob("*.png"))) >= 5


def test_model_text_renders_literally(tmp_path):
    paths = render(synthetic_results(), tmp_path)
    html = paths["html"].read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;tag&lt;/b&gt;" in html and "<table><tr><td>a" not in html
    md = paths["md"].read_text()
    # model text sits in fences longer than any backtick run inside it, so it cannot close them
    assert "````text\n| a | table |\n- a list" in md
    assert "\n# not a heading" not in md.replace("```text\n# not a heading", "")
    assert 'href="../../nowhere/logs/harmbench.eval"' in html or "harmbench.eval" in html


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
