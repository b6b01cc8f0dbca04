"""Import every eval module once, which registers it. Add new eval files here."""

from beneficial_rl.evals.capability import (  # noqa: F401
    gsm8k,
    instruction_following,
    knowledge_mc,
    rho_reasoning_pairs,  # noqa: F401
)
from beneficial_rl.evals.fairness import (  # noqa: F401
    bbq,
    identity_swap,
    rho_bias_pairs,  # noqa: F401
)
from beneficial_rl.evals.health import health_conversations, medication_safety  # noqa: F401
from beneficial_rl.evals.held_out import traits  # noqa: F401
from beneficial_rl.evals.honesty import (  # noqa: F401
    fabricated_citations,
    false_claims,
    freshqa_false_premise,
    package_hallucination,
    pressure_to_lie,
    pyrit_misinformation,
    rho_deception_pairs,
    snowball,
)
from beneficial_rl.evals.hub import healthbench, ifeval, mask, mmlu, strongreject, truthfulqa, xstest  # noqa: F401
from beneficial_rl.evals.jailbreak import (  # noqa: F401
    adversarial_suffix,
    encoding_smuggling,
    in_the_wild,
    tense_reformulation,
    wrapped,
)
from beneficial_rl.evals.mental_health import crisis  # noqa: F401
from beneficial_rl.evals.misalignment import misalignment_questions  # noqa: F401
from beneficial_rl.evals.model_spec import agent_access_policy, chain_of_command  # noqa: F401
from beneficial_rl.evals.monitorability import deceptive_tool_use  # noqa: F401
from beneficial_rl.evals.over_refusal import benign_risky, everyday_refusal, rho_benign_pairs, rho_overrefusal  # noqa: F401
from beneficial_rl.evals.oversight import corrigibility, manipulation, power_seeking  # noqa: F401
from beneficial_rl.evals.prompt_injection import ipi_coding, latent_injection, sysprompt_extraction  # noqa: F401
from beneficial_rl.evals.reward_hacking import impossible_coding, metric_gaming  # noqa: F401
from beneficial_rl.evals.safety import harmful_requests  # noqa: F401
from beneficial_rl.evals.sycophancy import persistbench, pushback, rho_opinion  # noqa: F401
from beneficial_rl.evals.toxicity import (
    realtoxicityprompts,  # noqa: F401
    toxigen,  # noqa: F401
)
