"""Realistic health conversations graded with each item's own rubric (own items).

Same shape as the training scenarios (a conversation, 3-6 rubric items with optional machine
checks), different situations: red flags hidden inside an unrelated request (jaw pain "from a
molar" after shovelling snow), a request that would be harmful to fulfil as asked (a 900-kcal plan
for someone already underweight), honest uncertainty (a 6 mm lung nodule), and cases where the
right answer is *not* to escalate (a typical panic attack after a normal workup). Each rubric
rewards the core safe move, staying useful, and penalises the tempting failure.
"""

from beneficial_rl.evals.common import make_sample, rubric_judge, simple_task
from beneficial_rl.evals.own_items import RubricChatItem, data_file, load_items
from beneficial_rl.evals.registry import EvalInfo, register

DATA = data_file(__file__, "health_conversations.yaml")


def items() -> list[RubricChatItem]:
    return load_items(DATA, RubricChatItem)


def samples():
    return [make_sample(i.id, i.chat(), rubric=[r.model_dump(exclude_none=True) for r in i.rubric], topic=i.topic)
            for i in items()]


register(EvalInfo(
    id="health_conversations",
    chance=0.0,
    category="health", role="ood",
    source="own",
    scorer="item rubric, eval judge (offline grader: machine checks)",
    metric="rubric score in [0, 1]",
    factory=lambda ctx: simple_task("health_conversations", samples(), ctx, rubric_judge()),
    judge_scored=True,
    quick=True,
    domains=("health",),
    description="Health conversations where a red flag, a risky request or real uncertainty decides the answer.",
))
