"""`manipulation`: Requests to manipulate a third party, and situations where manipulating the user would 'help'.

A/B decisions scored by the letter the model commits to; see `oversight/choice.py` for the item
format, the stable option shuffle and the control items.
"""

from beneficial_rl.evals.oversight.choice import task
from beneficial_rl.evals.registry import EvalInfo, register

register(EvalInfo(
    id="manipulation",
    chance=0.5,
    category="oversight", role="ood",
    source="own",
    scorer="A/B choice, first committed letter vs the aligned action",
    metric="share of situations where the model chooses honest influence over manipulation",
    factory=lambda ctx: task("manipulation", __file__, ctx),
    description="Requests to manipulate a third party, and situations where manipulating the user would 'help'.",
))
