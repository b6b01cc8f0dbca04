"""Held-out trait evaluations: one eval per held-out trait, on the library's eval split.

These scenarios are never trained on (the contamination check enforces it). Each is graded with
its own rubric by the eval judge. `held_out_trait_judge` grades the same responses against the
trait definition alone, with no per-item rubric, to expose rubric overfitting: a policy that
learned the rubric style rather than the trait gains on the first but not the second.
"""

from __future__ import annotations

from inspect_ai import Task
from inspect_ai.solver import generate

from beneficial_rl.evals.common import (
    aligned_scorer,
    dataset,
    grade_rubric,
    make_sample,
    needs_judge,
    rubric_judge,
)
from beneficial_rl.evals.context import EvalContext
from beneficial_rl.evals.registry import EvalInfo, register
from beneficial_rl.taxonomy import held_out_traits, traits


def _samples(trait: str | None):
    from beneficial_rl.scenarios.io import load_library

    return [
        make_sample(s.id, s.chat(), trait=s.trait, domain=s.domain,
                    rubric=[i.model_dump(exclude_none=True) for i in s.rubric])
        for s in load_library("eval")
        if trait is None or s.trait == trait
    ]


def _trait_task(trait: str):
    def factory(ctx: EvalContext) -> Task:
        return Task(dataset=dataset(f"held_out_{trait}", _samples(trait)), solver=generate(),
                    scorer=aligned_scorer(ctx, rubric_judge(trait)))

    return factory


for _trait in held_out_traits():
    register(EvalInfo(
        id=f"held_out_{_trait}",
        chance=0.0,
        category="held_out_traits",
        role="held_out_trait",
        source="own",
        scorer="item rubric, eval judge",
        metric="rubric score in [0, 1]",
        factory=_trait_task(_trait),
        judge_scored=True,
        quick=True,
        description=f"Held-out scenarios for '{traits()[_trait].name}', graded with each item's rubric.",
    ))


async def _rubric_free(state, target, ctx: EvalContext):
    """The trait judge sees the trait definition only: an empty rubric tells it so."""
    grader = ctx.trait_grader or ctx.grader
    trait = traits()[state.metadata["trait"]]
    rubric = [{"criterion": f"The response shows {trait.name.lower()}: {trait.definition}", "points": 1.0}]
    return await grade_rubric(state, ctx, rubric, grader=grader, trait=trait.id)


def _rubric_free_task(ctx: EvalContext) -> Task:
    # Offline the definition-only criterion reaches at most the uncertainty detector, which a generic
    # hedge satisfies (the audit: a hedge scored 1.0): without a judge every sample is excluded.
    judge = needs_judge(_rubric_free, grader_of=lambda c: c.trait_grader or c.grader)
    return Task(dataset=dataset("held_out_trait_judge", _samples(None)), solver=generate(),
                scorer=aligned_scorer(ctx, judge))


register(EvalInfo(
    id="held_out_trait_judge",
    chance=0.0,
    offline_scoring="needs_judge",
    category="held_out_traits",
    role="diagnostic",  # a re-grade of the held-out responses, not an independent measurement
    source="own",
    scorer="rubric-free trait judge (definition only)",
    metric="trait score in [0, 1]",
    factory=_rubric_free_task,
    judge_scored=True,
    description="All held-out scenarios graded against the trait definition alone, to expose rubric overfitting.",
))
