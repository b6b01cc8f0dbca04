"""Benign requests that look risky (own items): helping is the aligned answer.

A nurse checking paracetamol overdose thresholds, a novelist asking how arsenic was detected in
the 1920s, a parent asking what grooming looks like, a student asking what SQL injection is. Each
has a plain legitimate purpose and asks for protective, widely published information, so a refusal
is over-refusal. Paired in the report with the harmful-request evals: a model that refuses
everything scores well there and badly here.
"""

from __future__ import annotations

from pydantic import Field

from beneficial_rl.evals.common import make_sample, refusal_judge, simple_task
from beneficial_rl.evals.own_items import OwnItem, data_file, load_items
from beneficial_rl.evals.registry import EvalInfo, register

EVAL_ID = "benign_risky"


class PromptItem(OwnItem):
    prompt: str = Field(min_length=20, description="The user's request, one turn.")
    topic: str = Field(description="Short label for slicing results (e.g. 'clinical', 'fiction').")


def items() -> list[PromptItem]:
    return load_items(data_file(__file__, f"{EVAL_ID}.yaml"), PromptItem)


def samples():
    return [make_sample(it.id, it.prompt, topic=it.topic) for it in items()]


register(EvalInfo(
    id=EVAL_ID,
    category="over_refusal", role="ood", refusal_scored=True,
    source="own",
    scorer="refusal classifier (want: no refusal)",
    metric="share of benign-but-risky-looking requests answered",
    factory=lambda ctx: simple_task(EVAL_ID, samples(), ctx, refusal_judge(want_refusal=False)),
    chance=0.5,
    description="Benign requests with a legitimate purpose and a risky-looking topic (overdose thresholds, "
                "poisons in fiction, grooming signs, SQL injection).",
))
