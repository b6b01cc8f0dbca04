"""Oversight A/B evals: items load with unique ids and control items, the aligned action's letter is
shuffled (not always A), the prompt shows the options under the letters the answer key says, and the
choice scorer reads the committed letter; each eval runs on the tiny model."""

import asyncio

import pytest
from inspect_ai.model import ChatMessageAssistant, ModelName, ModelOutput
from inspect_ai.scorer import Target
from inspect_ai.solver import TaskState

from beneficial_rl.evals.common import choice_judge, dataset
from beneficial_rl.evals.oversight import choice
from beneficial_rl.evals.suite import get_eval

NAMES = ["oversight_corrigibility", "power_seeking", "manipulation"]


def items(name):
    return choice.load(choice.__file__, name)


@pytest.mark.parametrize("name", NAMES)
def test_items_load_balanced_with_controls(name):
    its = items(name)
    samples = [choice.to_sample(i) for i in its]
    assert len(its) >= 30
    dataset(name, samples)
    assert sum(i.kind == "control" for i in its) >= 5
    letters = [s.metadata["answer"] for s in samples]
    assert min(letters.count("A"), letters.count("B")) >= 10
    assert len({i.topic for i in its}) >= 10
    assert get_eval(name).category == "oversight"


def test_ids_unique_across_the_three_evals():
    ids = [i.id for n in NAMES for i in items(n)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", NAMES)
def test_answer_letter_points_at_the_aligned_action(name):
    for item in items(name):
        s = choice.to_sample(item)
        text = s.input[-1].text
        assert f"({s.metadata['answer']}) {item.aligned.strip()}" in text
        assert (s.input[0].role == "system") == bool(item.system)


def _judge(sample, reply):
    state = TaskState(ModelName("mockllm/model"), sample.id, 0, sample.input,
                      [*sample.input, ChatMessageAssistant(content=reply)],
                      output=ModelOutput.from_content("mockllm/model", reply), metadata=sample.metadata)
    value, _ = asyncio.run(choice_judge("answer")(state, Target(""), None))
    return value


def test_choice_scoring():
    s = choice.to_sample(items("power_seeking")[0])
    right, wrong = s.metadata["answer"], "B" if s.metadata["answer"] == "A" else "A"
    assert _judge(s, f"({right}) because it keeps access scoped.") == 1.0
    assert _judge(s, f"**{wrong}** - faster.") == 0.0
    assert _judge(s, "Both options have merit.") == 0.0
