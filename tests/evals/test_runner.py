import math
from types import SimpleNamespace

import inspect_ai
import pytest
from inspect_ai import Task
from inspect_ai.scorer import Score, scorer
from inspect_ai.solver import generate

from beneficial_rl.evals.common import METRICS, aligned_scorer, dataset, make_sample, rubric_judge
from beneficial_rl.evals.context import build_context
from beneficial_rl.evals.registry import EvalInfo
from beneficial_rl.evals.runner import EvalRunConfig, failed_path, results_path, run_evals
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
    assert summary["n"] == 4 and summary["n_scored"] == 3 and summary["n_excluded"] == 1
    assert summary["excluded_reasons"] == {"judge failure": 1} and summary["n_errors"] == 0
    assert summary["status"] == "success" and summary["role"] == "ood"
    assert summary["policy"]["dtype"] == "float32" and summary["policy"]["spec"] == tiny_model_path
    assert all(isinstance(r["refusal"], bool) for r in rows)
    assert summary["grader"]["name"] == "scripted" and summary["approximate"] is False
    assert list((tmp_path / "inspect").glob("*.eval")), "Inspect logs are kept for `inspect view`"
    assert not math.isnan(summary["mean"])

    # a rerun skips the finished eval (no new grading calls)
    calls = ctx.grader.calls
    again = run_evals(tiny_model_path, [TOY], ctx, tmp_path, cfg)["toy_rubric"]
    assert ctx.grader.calls == calls and again["n"] == 4


def _boom_factory(ctx):
    @scorer(metrics=METRICS)
    def boom():
        async def score(state, target):
            if state.sample_id == "s-boom":
                raise RuntimeError("scorer exploded")
            return Score(value=1.0, metadata={"refusal": False})

        return score

    samples = [make_sample("s-ok", "Hello?"), make_sample("s-boom", "Hello again?")]
    return Task(dataset=dataset("boom", samples), solver=generate(), scorer=boom())


BOOM = EvalInfo(id="toy_boom", category="honesty", role="ood", source="own", scorer="s", metric="m",
                factory=_boom_factory)


def test_a_sample_error_fails_the_eval_and_a_rerun_retries_it(tiny_model_path, ctx, tmp_path):
    cfg = EvalRunConfig(batch_size=2, max_tokens=4)
    s = run_evals(tiny_model_path, [BOOM], ctx, tmp_path, cfg)["toy_boom"]
    assert s["status"] == "failed" and s["n_errors"] == 1 and "scorer exploded" in s["error"]
    assert not results_path(tmp_path, "toy_boom").exists(), "a failed eval is never saved as finished"
    assert failed_path(tmp_path, "toy_boom").exists()
    # the rerun does not skip it: it runs again (and fails again, loudly)
    again = run_evals(tiny_model_path, [BOOM], ctx, tmp_path, cfg)["toy_boom"]
    assert again["status"] == "failed"


def test_a_cancelled_eval_is_retried_then_saved(tiny_model_path, ctx, tmp_path, monkeypatch):
    cfg = EvalRunConfig(batch_size=4, max_tokens=4)
    real = inspect_ai.eval_set
    cancelled = SimpleNamespace(eval=SimpleNamespace(task="toy_rubric"), status="cancelled", samples=[], error=None,
                                location=None)
    monkeypatch.setattr(inspect_ai, "eval_set", lambda *a, **k: (False, [cancelled]))
    s = run_evals(tiny_model_path, [TOY], ctx, tmp_path, cfg)["toy_rubric"]
    assert s["status"] == "failed" and s["inspect_status"] == "cancelled"
    assert not results_path(tmp_path, "toy_rubric").exists()
    monkeypatch.setattr(inspect_ai, "eval_set", real)
    s = run_evals(tiny_model_path, [TOY], ctx, tmp_path, cfg)["toy_rubric"]
    assert s["status"] == "success" and s["n"] == 4
    assert not failed_path(tmp_path, "toy_rubric").exists()


@pytest.mark.parametrize("judge", ["offline", {"kind": "offline"}])
def test_offline_grader_marks_judge_scored_numbers_approximate(judge):
    from beneficial_rl.evals.runner import summarize

    try:
        ctx = build_context(judge)
    except Exception as e:  # the dict form must be accepted, not silently misread
        pytest.fail(f"dict-form offline judge rejected: {e}")
    rows = [{"id": "a", "score": 1.0, "refusal": False, "error": None, "meta": {}}]
    s = summarize(TOY, rows, ctx)
    assert s["approximate"] is True and s["grader"]["approximate"] is True
    assert s["refusal_classifier"]["approximate"] is True


def test_evals_run_together_keep_their_own_results_and_failures(tiny_model_path, ctx, tmp_path):
    cfg = EvalRunConfig(batch_size=4, max_tokens=4, max_tasks=8)
    s = run_evals(tiny_model_path, [TOY, BOOM], ctx, tmp_path, cfg)
    assert s["toy_rubric"]["status"] == "success" and s["toy_rubric"]["n"] == 4
    assert s["toy_boom"]["status"] == "failed" and s["toy_boom"]["n_errors"] == 1
    assert results_path(tmp_path, "toy_rubric").exists() and not results_path(tmp_path, "toy_boom").exists()
    assert s["toy_rubric"]["seconds"] is not None and s["toy_rubric"]["inspect_log"]


def _flaky_factory(ctx):
    failures = {"s-flaky": 1}  # the first scoring of s-flaky raises (a judge endpoint timing out once)

    @scorer(metrics=METRICS)
    def flaky():
        async def score(state, target):
            if failures.get(state.sample_id, 0):
                failures[state.sample_id] -= 1
                raise TimeoutError("judge endpoint timed out")
            return Score(value=1.0, metadata={"refusal": False})

        return score

    samples = [make_sample("s-ok", "Hello?"), make_sample("s-flaky", "Hello again?")]
    return Task(dataset=dataset("flaky", samples), solver=generate(), scorer=flaky())


FLAKY = EvalInfo(id="toy_flaky", category="honesty", role="ood", source="own", scorer="s", metric="m",
                 factory=_flaky_factory)


def test_eval_set_retries_a_sample_error_within_the_run(tiny_model_path, ctx, tmp_path):
    s = run_evals(tiny_model_path, [FLAKY], ctx, tmp_path, EvalRunConfig(batch_size=2, max_tokens=4,
                                                                         retry_attempts=1))["toy_flaky"]
    assert s["status"] == "success" and s["n"] == 2 and s["n_errors"] == 0 and s["mean"] == 1.0
    # with no retries the same failure is a failed eval, never a score
    out = tmp_path / "no-retry"
    s = run_evals(tiny_model_path, [FLAKY], ctx, out, EvalRunConfig(batch_size=2, max_tokens=4,
                                                                    retry_attempts=0))["toy_flaky"]
    assert s["status"] == "failed" and "timed out" in s["error"] and failed_path(out, "toy_flaky").exists()


def test_a_rerun_resumes_from_the_inspect_log_without_regenerating(tiny_model_path, ctx, tmp_path):
    cfg = EvalRunConfig(batch_size=4, max_tokens=4)
    first = run_evals(tiny_model_path, [TOY], ctx, tmp_path, cfg)["toy_rubric"]
    rows = read_jsonl(tmp_path / "toy_rubric.jsonl")
    # killed after Inspect finished the eval but before our files landed: the log is reused as it is
    results_path(tmp_path, "toy_rubric").unlink()
    (tmp_path / "toy_rubric.summary.json").unlink()
    calls = ctx.grader.calls
    again = run_evals(tiny_model_path, [TOY], ctx, tmp_path, cfg)["toy_rubric"]
    assert ctx.grader.calls == calls, "nothing was regraded"
    assert again["inspect_log"] == first["inspect_log"] and again["n"] == 4
    assert read_jsonl(tmp_path / "toy_rubric.jsonl") == rows

    # the same eval with changed items is a new task version: its old log is not reused
    def changed(ctx):
        task = _factory(ctx)
        task.dataset[0].input[0].content = "Tell me about something else."
        return task

    results_path(tmp_path, "toy_rubric").unlink()
    (tmp_path / "toy_rubric.summary.json").unlink()
    edited = EvalInfo(id="toy_rubric", category="honesty", role="ood", source="own", scorer="rubric",
                      metric="score", factory=changed, judge_scored=True)
    third = run_evals(tiny_model_path, [edited], ctx, tmp_path, cfg)["toy_rubric"]
    assert ctx.grader.calls > calls and third["inspect_log"] != first["inspect_log"]


def test_logs_record_the_offline_judges_as_model_roles(tiny_model_path, tmp_path):
    from inspect_ai.log import read_eval_log

    s = run_evals(tiny_model_path, [BOOM], build_context("offline"), tmp_path,
                  EvalRunConfig(batch_size=2, max_tokens=4, retry_attempts=0))["toy_boom"]
    log = read_eval_log(next((tmp_path / "inspect").glob("*.eval")).as_posix(), header_only=True)
    assert {k: v.model for k, v in log.eval.model_roles.items()} == {"grader": "brl/offline",
                                                                     "refusal_classifier": "brl/offline"}
    assert log.eval.task == "toy_boom" and s["status"] == "failed"
