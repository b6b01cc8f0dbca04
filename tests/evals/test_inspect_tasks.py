"""Every eval is an Inspect task behind the `beneficial_rl` entry point; judges are model roles."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.model._model import init_model_roles

from beneficial_rl.evals import tasks
from beneficial_rl.evals.context import context_from_roles
from beneficial_rl.evals.suite import all_evals
from beneficial_rl.grading.inspect_provider import OFFLINE, OfflineGraderAPI, offline_model, roles_for
from beneficial_rl.grading.judge import JudgeGrader
from beneficial_rl.grading.offline import OfflineGrader
from beneficial_rl.grading.refusal import JudgeRefusalClassifier, OfflineRefusalClassifier

RUBRIC_EVAL = "health_conversations"  # offline, judge-scored through rubric_judge


def _output(text: str) -> ModelOutput:
    out = ModelOutput.from_content("mockllm/model", text)
    out.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)  # so tiktoken is never needed
    return out


def _policy():
    reply = ("Here is what I would do: check the dose on the label, call your pharmacist or doctor today, "
             "and go to urgent care if the symptoms get worse.")
    return get_model("mockllm/model", custom_outputs=lambda *a: _output(reply))


class ScriptedJudge:
    """A chat model for the grader role: every rubric item met, nothing refused (one reply answers both
    verdict keys), and it counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return _output('All criteria considered.\n{"met": true, "refused": false}')


def test_entry_point_names_the_tasks_module():
    (ep,) = entry_points(group="inspect_ai", name="beneficial_rl")
    assert ep.value == "beneficial_rl.evals.tasks", "reinstall the package (make setup) after editing pyproject.toml"


def test_every_registered_eval_is_an_inspect_task():
    from inspect_ai._util.entrypoints import ensure_entry_points
    from inspect_ai._util.registry import registry_find, registry_info, registry_lookup

    ensure_entry_points("beneficial_rl")
    names = {registry_info(t).name for t in registry_find(lambda i: i.type == "task")}
    ids = set(all_evals())
    assert {f"beneficial_rl/{i}" for i in ids} <= names
    assert callable(registry_lookup("task", f"beneficial_rl/{RUBRIC_EVAL}"))
    assert get_model(OFFLINE).api.__class__ is OfflineGraderAPI, "brl/offline is a registered model API"


def test_generated_tasks_are_up_to_date_and_listed():
    from inspect_ai._eval.list import list_tasks

    path = tasks.source_file()
    assert tasks.current_block(path.read_text(encoding="utf-8")) == tasks.generated_source(), (
        "src/beneficial_rl/evals/tasks.py is out of date with the registry; run "
        "`python -m beneficial_rl.evals.tasks --write`")
    listed = {t.name: t.attribs for t in list_tasks(path.name, root_dir=path.parent)}  # what `inspect list tasks` reads
    evals = all_evals()
    assert set(listed) == set(evals)
    assert all(listed[i]["role"] == e.role and listed[i]["offline"] == e.offline for i, e in evals.items())


def test_roles_pick_the_offline_grader_by_default_and_a_judge_when_bound():
    try:
        init_model_roles({})
        ctx = context_from_roles()
        assert isinstance(ctx.grader, OfflineGrader) and isinstance(ctx.refusal, OfflineRefusalClassifier)

        init_model_roles({"grader": offline_model()})
        assert isinstance(context_from_roles().grader, OfflineGrader)

        judge = get_model("mockllm/model", custom_outputs=ScriptedJudge())
        init_model_roles({"grader": judge})
        ctx = context_from_roles()
        assert isinstance(ctx.grader, JudgeGrader) and ctx.grader.config.model == "mockllm/model"
        assert isinstance(ctx.refusal, JudgeRefusalClassifier), "the refusal classifier follows the grader"
        assert isinstance(ctx.trait_grader, JudgeGrader) and ctx.trait_grader.kind == "trait"

        init_model_roles({"grader": judge, "refusal_classifier": offline_model()})
        ctx = context_from_roles()
        assert isinstance(ctx.grader, JudgeGrader) and isinstance(ctx.refusal, OfflineRefusalClassifier)
    finally:
        init_model_roles({})


def test_offline_model_api_refuses_to_generate():
    import asyncio

    with pytest.raises(Exception, match="not a chat model"):
        asyncio.run(offline_model().generate("hello"))


def test_roles_for_names_the_graders_a_context_holds():
    roles = roles_for(OfflineGrader(), OfflineRefusalClassifier())
    assert {k: str(v) for k, v in roles.items()} == {"grader": OFFLINE, "refusal_classifier": OFFLINE}
    judge = get_model("mockllm/model", custom_outputs=ScriptedJudge())
    ctx_roles = roles_for(JudgeGrader(_judge_config(), model=judge),
                          OfflineRefusalClassifier())
    assert ctx_roles["grader"] is judge


def _judge_config():
    from beneficial_rl.grading.config import JudgeConfig

    return JudgeConfig(model="mockllm/model", role="eval")


def _scores(log):
    assert log.status == "success", log.error
    return [next(iter(s.scores.values())) for s in log.samples]


def test_task_runs_with_the_offline_grader_when_no_role_is_given(tmp_path):
    (log,) = inspect_eval(f"beneficial_rl/{RUBRIC_EVAL}", model=_policy(), limit=2, log_dir=str(tmp_path),
                          display="none")
    scores = _scores(log)
    assert len(scores) == 2 and not log.eval.model_roles
    assert all(s.metadata["judge"] == OfflineGrader.name for s in scores)
    assert log.results.scores[0].name == "rubric_judge", "scorers carry real names"


def test_task_runs_with_a_scripted_grader_bound_to_the_grader_role(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    judge = ScriptedJudge()
    (log,) = inspect_eval(f"beneficial_rl/{RUBRIC_EVAL}", model=_policy(), limit=2, log_dir=str(tmp_path),
                          display="none", model_roles={"grader": get_model("mockllm/model", custom_outputs=judge)})
    scores = _scores(log)
    assert set(log.eval.model_roles) == {"grader"}
    assert judge.calls > 0
    for s in scores:
        assert s.metadata["judge"].startswith("judge (per_item) mockllm/model")
        assert s.metadata["verdicts"] and all(v["met"] == 1.0 for v in s.metadata["verdicts"])
        assert s.metadata["refusal"] is False and s.metadata["refusal_source"] == "judge"


@pytest.mark.slow
def test_inspect_eval_cli_runs_an_offline_eval_on_a_local_model_folder(tiny_model_path, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "INSPECT_LOG_DIR": str(tmp_path)}
    inspect = Path(sys.executable).parent / "inspect"
    cmd = [str(inspect), "eval", f"beneficial_rl/{RUBRIC_EVAL}", "--model", f"hf/{tiny_model_path}", "--limit", "2",
           "--max-tokens", "8", "--log-dir", str(tmp_path), "--display", "none", "--model-role", f"grader={OFFLINE}"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = tmp_path.glob("*.eval")
    log = read_eval_log(str(path))
    scores = _scores(log)
    assert len(scores) == 2 and log.eval.task == "beneficial_rl/" + RUBRIC_EVAL
    assert str(log.eval.model_roles["grader"].model) == OFFLINE
    assert all(s.metadata["judge"] == OfflineGrader.name for s in scores)
