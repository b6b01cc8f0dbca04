"""Every registered offline eval runs end to end on the tiny model: `--limit 2`, batched, with the
real offline grader and refusal classifier (not the scripted ones), so a broken loader, solver or
scorer in any eval fails here under its own name.

The tiny model's output is noise, so no score is asserted beyond its range: what is checked is
that both samples ran, kept their ids and did not error.
"""

import math

import pytest

from beneficial_rl.evals.context import build_context
from beneficial_rl.evals.runner import EvalRunConfig, policy_model, run_evals
from beneficial_rl.evals.suite import all_evals
from beneficial_rl.grading.offline import OfflineGrader
from beneficial_rl.grading.refusal import OfflineRefusalClassifier
from beneficial_rl.utils.io import read_jsonl

pytestmark = pytest.mark.slow  # about 1.5 s per eval on one CPU thread

OFFLINE = sorted(name for name, info in all_evals().items() if info.offline)


@pytest.fixture(scope="module")
def policy(tiny_model_path):
    """One Inspect model for every eval, as `brl eval` does, so weights load once."""
    return policy_model(tiny_model_path, batch_size=2)


@pytest.fixture(scope="module")
def offline_ctx():
    """What `brl eval --judge offline` builds: make_grader("offline", use="eval") and the offline
    refusal classifier."""
    ctx = build_context("offline", max_tokens=8)
    assert isinstance(ctx.grader, OfflineGrader) and isinstance(ctx.refusal, OfflineRefusalClassifier)
    return ctx


def test_there_are_offline_evals_to_smoke():
    assert len(OFFLINE) >= 20


@pytest.mark.parametrize("eval_id", OFFLINE)
def test_offline_eval_runs_on_tiny_model(eval_id, policy, offline_ctx, tmp_path):
    info = all_evals()[eval_id]
    cfg = EvalRunConfig(limit=2, batch_size=2, max_tokens=8)
    summary = run_evals(policy, [info], offline_ctx, tmp_path, cfg)[eval_id]
    rows = read_jsonl(tmp_path / f"{eval_id}.jsonl")
    assert len(rows) == 2 and summary["n"] == 2
    assert all(r["id"] for r in rows) and len({r["id"] for r in rows}) == 2
    errors = [f"{r['id']}: {r['error']}" for r in rows if r["error"]]
    assert not errors, errors
    assert summary["status"] == "success"
    for r in rows:
        assert isinstance(r["refusal"], bool)
        assert r["score"] is None or (0.0 <= r["score"] <= 1.0 and not math.isnan(r["score"])), r
