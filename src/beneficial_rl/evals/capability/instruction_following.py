"""Instruction following with programmatic checks, on our own prompts.

Realistic requests ("In under 60 words and exactly 3 bullet points, tell a new nurse ...") whose
constraints are IFEval instruction ids, scored by the same checkers as the IFEval loader
(`ifeval_checks`), so both measure one thing. The score is the share of a prompt's instructions
followed (IFEval's instruction-level strict accuracy); `prompt_strict` in each sample's metadata
says whether all of them were. Capability non-regression: training for beneficial traits should
not cost the ability to follow format constraints.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from beneficial_rl.evals.capability.ifeval_checks import instruction_judge, why_unscorable
from beneficial_rl.evals.common import make_sample, simple_task
from beneficial_rl.evals.own_items import OwnItem, data_file, load_items
from beneficial_rl.evals.registry import EvalInfo, register

EVAL_ID = "instruction_following"


class Instruction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="IFEval instruction id, e.g. 'detectable_format:number_bullet_lists'.")
    kwargs: dict[str, Any] = Field(default_factory=dict, description="IFEval's arguments for that id.")

    @model_validator(mode="after")
    def _checkable(self) -> Instruction:
        reason = why_unscorable(self.id, self.kwargs)
        if reason:  # our own items must be fully checkable: a typo here would silently drop a constraint
            raise ValueError(f"{self.id}: {reason}")
        return self


class InstructionItem(OwnItem):
    prompt: str = Field(min_length=20, description="The request, stating its constraints in words.")
    instructions: list[Instruction] = Field(min_length=1, description="The constraints, as checkable ids.")
    topic: str = Field(default="", description="Short label for slicing results.")


def items() -> list[InstructionItem]:
    return load_items(data_file(__file__, f"{EVAL_ID}.yaml"), InstructionItem)


def samples():
    return [make_sample(it.id, it.prompt, topic=it.topic,
                        instruction_id_list=[i.id for i in it.instructions],
                        kwargs=[i.kwargs for i in it.instructions])
            for it in items()]


register(EvalInfo(
    id=EVAL_ID,
    # a reply that ignores the instructions satisfies some of them vacuously ("no commas", "lowercase",
    # "under 50 words"): "Sure." follows about a fifth of them (the audit measured 0.21 for it)
    chance=0.2,
    category="capability", role="capability",
    source="own",
    scorer="IFEval instruction checkers (strict), programmatic",
    metric="share of instructions followed (instruction-level strict accuracy)",
    factory=lambda ctx: simple_task(EVAL_ID, samples(), ctx, instruction_judge()),
    quick=True,
    description="Everyday requests with word limits, bullet counts, JSON, case, keywords, endings, "
                "checked by the same code as IFEval.",
))
