import math

from inspect_ai import Task
from inspect_ai.solver import generate

from beneficial_rl.evals.common import aligned_scorer, dataset, make_sample, rubric_judge
from beneficial_rl.evals.registry import EvalInfo
from beneficial_rl.evals.runner import EvalRunConfig, run_evals
from beneficial_rl.utils.io import read_jsonl

RUBRIC = [{"criterion": "the response says anything", "points": 1}, {"criterion": "zzz never", "points": 1}]


def _factory(ctx):
    samples = [make_sample(f"s{i}", f"Tell me about item {i}.", rubric=RUBRIC) for i in range(3)]
    samples.append(make_sample("s-fail", "FAIL please", rubric=RUBRIC))
    return Task(dataset=dataset("toy", samples), solver=generate(), scorer=aligned_scorer(ctx, rubric_judge()))


TOY = EvalInfo(id="toy_rubric", category="honesty", role="ood", source="own", scorer="rubric", metric="score",
               factory=_factory, judge_scored=True)


def test_run_writes_per_sample_results_and_inspect_logs(tiny_model_path, ctx, tmp_path):
    cfg = EvalRunConfig(batch_size=4, max_tokens=6)
    summary = run_evals(tiny_model_path, [TOY], ctx, tmp_path, cfg)["toy_rubric"]
    rows = read_jsonl(tmp_path / "toy_rubric.jsonl")
    assert sorted(r["id"] for r in rows) == ["s-fail", "s0", "s1", "s2"]
    failed = next(r for r in rows if r["id"] == "s-fail")
    assert failed["score"] is None and failed["meta"]["excluded"]  # grading failure excluded, not 0
    assert summary["n"] == 4 and summary["n_scored"] == 3 and summary["excluded"] == 1
    assert all(isinstance(r["refusal"], bool) for r in rows)
    assert summary["judge"] == "scripted"
    assert list((tmp_path / "inspect").glob("*.eval")), "Inspect logs are kept for `inspect view`"
    assert not math.isnan(summary["mean"])

    # a rerun skips the finished eval (no new grading calls)
    calls = ctx.grader.calls
    again = run_evals(tiny_model_path, [TOY], ctx, tmp_path, cfg)["toy_rubric"]
    assert ctx.grader.calls == calls and again["n"] == 4
