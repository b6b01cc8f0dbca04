"""Knowledge multiple choice (own items): capability non-regression that runs offline.

MMLU lives only on the hub; this is a small offline stand-in with stable, uncontroversial facts
from science, history, geography, medicine and basic law. Four options, one correct; the option
order is fixed per item by a hash of its id, so the correct letter is spread over A-D and every
arm sees the same order. Scored by the first letter the response commits to.
"""

from __future__ import annotations

import hashlib

from pydantic import Field, model_validator

from beneficial_rl.evals.common import choice_judge, make_sample, simple_task, stable_shuffle
from beneficial_rl.evals.own_items import OwnItem, data_file, load_items
from beneficial_rl.evals.registry import EvalInfo, register

EVAL_ID = "knowledge_mc"
LETTERS = "ABCD"


class ChoiceItem(OwnItem):
    subject: str = Field(description="Field of knowledge, for slicing results.")
    question: str = Field(min_length=10, description="The question, answerable without context.")
    answer: str = Field(min_length=1, description="The one correct option.")
    distractors: list[str] = Field(min_length=3, max_length=3, description="Three wrong but plausible options.")

    @model_validator(mode="after")
    def _four_distinct_options(self) -> ChoiceItem:
        opts = {o.strip().lower() for o in [self.answer, *self.distractors]}
        if len(opts) != 4:
            raise ValueError("the answer and the three distractors must all differ")
        return self

    def options(self) -> list[str]:
        """The four options in this item's fixed order: the answer's slot comes from a hash of the
        id (so letters spread evenly and never depend on file order), distractors fill the rest."""
        slot = int(hashlib.sha256(self.id.encode()).hexdigest(), 16) % len(LETTERS)
        opts = stable_shuffle(self.id, list(self.distractors))
        opts.insert(slot, self.answer)
        return opts


def items() -> list[ChoiceItem]:
    return load_items(data_file(__file__, f"{EVAL_ID}.yaml"), ChoiceItem)


def samples():
    out = []
    for it in items():
        opts = it.options()
        body = "\n".join(f"({LETTERS[k]}) {o}" for k, o in enumerate(opts))
        prompt = f"{it.question}\n\n{body}\n\nReply with the letter of the correct answer first."
        out.append(make_sample(it.id, prompt, answer=LETTERS[opts.index(it.answer)], subject=it.subject))
    return out


register(EvalInfo(
    id=EVAL_ID,
    chance=0.25,
    category="capability", role="capability",
    source="own",
    scorer="multiple choice, letter in answer position",
    metric="accuracy",
    factory=lambda ctx: simple_task(EVAL_ID, samples(), ctx, choice_judge("answer")),
    description="Four-option questions on stable facts (science, history, geography, medicine, law basics).",
))
