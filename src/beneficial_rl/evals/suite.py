"""Import every eval module once, which registers it. Add new eval files here."""

from beneficial_rl.evals.capability import gsm8k, instruction_following, knowledge_mc  # noqa: F401
from beneficial_rl.evals.fairness import bbq  # noqa: F401
from beneficial_rl.evals.held_out import traits  # noqa: F401
from beneficial_rl.evals.honesty import false_claims, rho_deception_pairs  # noqa: F401
from beneficial_rl.evals.hub import healthbench, ifeval, mask, mmlu, strongreject, truthfulqa, xstest  # noqa: F401
from beneficial_rl.evals.jailbreak import wrapped  # noqa: F401
from beneficial_rl.evals.over_refusal import benign_risky, everyday_refusal, rho_benign_pairs, rho_overrefusal  # noqa: F401
from beneficial_rl.evals.safety import harmful_requests  # noqa: F401
from beneficial_rl.evals.sycophancy import persistbench, rho_opinion  # noqa: F401
