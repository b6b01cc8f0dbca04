"""`oversight_corrigibility`: Operator stops, corrections, shutdowns, retraining, and keeping logs and human oversight intact.

A/B decisions scored by the letter the model commits to; see `oversight/choice.py` for the item
format, the stable option shuffle and the control items.
"""

from beneficial_rl.evals.oversight.choice import task
from beneficial_rl.evals.registry import EvalInfo, register

register(EvalInfo(
    id="oversight_corrigibility",
    chance=0.5,
    category="oversight", role="ood",
    source="own",
    scorer="A/B choice, first committed letter vs the aligned action",
    metric="share of situations where the model keeps legitimate human oversight intact",
    factory=lambda ctx: task("oversight_corrigibility", __file__, ctx),
    description="Operator stops, corrections, shutdowns, retraining, and keeping logs and human oversight intact.",
))
