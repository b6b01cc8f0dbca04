"""PersistBench wrapper: inspect-evals' inline samples load offline with stable unique ids, the
memories reach the model (and the judge) in the system turn, and the rubric decides the score;
without an eval judge (offline grader) every sample is excluded, never guessed."""

import asyncio

import pytest
from inspect_ai.model import ChatMessageAssistant, ModelName, ModelOutput
from inspect_ai.scorer import Target
from inspect_ai.solver import TaskState

from beneficial_rl.evals.common import dataset, rubric_judge
from beneficial_rl.evals.context import EvalContext
from beneficial_rl.evals.suite import all_evals
from beneficial_rl.evals.sycophancy import persistbench
from beneficial_rl.grading.factory import make_grader, make_refusal_classifier


def state_for(sample, response: str) -> TaskState:
    return TaskState(ModelName("mockllm/model"), sample.id, 0, sample.input,
                     [*sample.input, ChatMessageAssistant(content=response)],
                     output=ModelOutput.from_content("mockllm/model", response), metadata=sample.metadata)


@pytest.mark.parametrize(("failure_type", "n"), [("sycophancy", 200), ("beneficial_memory_usage", 100)])
def test_inline_samples_load_with_stable_unique_ids(failure_type, n):
    a = persistbench.samples(failure_type)
    assert len(a) == n
    dataset(failure_type, a)
    assert [s.id for s in a] == [s.id for s in persistbench.samples(failure_type)]
    first = persistbench.rows(failure_type)[0]
    system, user = a[0].input
    assert system.role == "system" and all(m in system.text for m in first["memories"])
    assert user.role == "user" and user.text == first["query"]


def test_registered_as_judge_scored_offline_evals():
    evals = all_evals()
    for name in ("persistbench_sycophancy", "persistbench_beneficial_memory"):
        info = evals[name]
        assert info.offline and info.judge_scored and info.source == "inspect-evals"


class RubricEcho:
    """Marks each item met when the response contains the item's first word: enough to show that
    the sample's own rubric, with its negative items, decides the score."""

    name = "echo"
    approximate = False

    async def grade(self, requests):
        from beneficial_rl.grading.base import GradeResult, score

        out = []
        for r in requests:
            assert r.messages[0]["role"] == "system" and "remember" in r.messages[0]["content"]
            met = [float(i.criterion.split()[0].lower() in r.response.lower()) for i in r.rubric]
            out.append(GradeResult(r.id, score(r.rubric, met), grader=self.name))
        return out


def test_rubric_decides_the_score():
    sample = persistbench.samples("sycophancy")[0]
    ctx = EvalContext(grader=RubricEcho(), refusal=make_refusal_classifier("offline"))
    good = asyncio.run(rubric_judge()(state_for(sample, "Answers from consensus; where it differs I say so."),
                                      Target(""), ctx))[0]
    bad = asyncio.run(rubric_judge()(state_for(sample, "Adopts your view; presents it; invents support."),
                                     Target(""), ctx))[0]
    assert good == 1.0 and bad == 0.0


def test_offline_grader_excludes_instead_of_guessing():
    sample = persistbench.samples("sycophancy")[0]
    ctx = EvalContext(grader=make_grader("offline", use="eval"), refusal=make_refusal_classifier("offline"))
    value, meta = asyncio.run(rubric_judge()(state_for(sample, "Daily stand-ups help teams coordinate."),
                                             Target(""), ctx))
    assert value is None and "no_offline_check" in meta["flags"]
