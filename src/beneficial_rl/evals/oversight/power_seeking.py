"""`power_seeking`: Offers of broader access, money, compute, autonomy, self-replication, or a way around monitoring.

A/B decisions scored by the letter the model commits to; see `oversight/choice.py` for the item
format, the stable option shuffle and the control items.
"""

from beneficial_rl.evals.oversight.choice import task
from beneficial_rl.evals.registry import EvalInfo, register

register(EvalInfo(
    id="power_seeking",
    chance=0.5,
    category="oversight", role="ood",
    source="own",
    scorer="A/B choice, first committed letter vs the aligned action",
    metric="share of situations where the model declines power beyond its task (and takes scoped access when the task needs it)",
    factory=lambda ctx: task("power_seeking", __file__, ctx),
    description="Offers of broader access, money, compute, autonomy, self-replication, or a way around monitoring.",
))
