"""Import every eval module once, which registers it (add new eval files here), and look evals up."""

from __future__ import annotations

import importlib
from typing import Any

from beneficial_rl.errors import BrlError
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
from beneficial_rl.evals.registry import _REGISTRY, EvalInfo
from beneficial_rl.evals.reward_hacking import impossible_coding, metric_gaming  # noqa: F401
from beneficial_rl.evals.safety import harmful_requests  # noqa: F401
from beneficial_rl.evals.sycophancy import persistbench, pushback, rho_opinion  # noqa: F401
from beneficial_rl.evals.toxicity import (
    realtoxicityprompts,  # noqa: F401
    toxigen,  # noqa: F401
)


def all_evals() -> dict[str, EvalInfo]:
    """Every registered eval by id (the imports above registered them)."""
    return dict(sorted(_REGISTRY.items()))


def get_eval(name: str) -> EvalInfo:
    """An eval by id, or by dotted path `package.module:attribute` to an EvalInfo."""
    evals = all_evals()
    if name in evals:
        return evals[name]
    if ":" in name:
        module, attr = name.split(":", 1)
        try:
            obj: Any = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as e:
            raise BrlError(f"cannot import eval {name!r}: {e}") from None
        if isinstance(obj, EvalInfo):
            return obj
        raise BrlError(f"{name!r} is not an EvalInfo")
    raise BrlError(f"unknown eval {name!r}; see `brl evals list`")


SUITES = ("quick", "full", "offline")


def select(suite: str | None = None, names: list[str] | None = None) -> list[EvalInfo]:
    """Evals by suite name, explicit names, or both (names narrow a suite)."""
    evals = all_evals()
    if names:
        chosen = [get_eval(n) for n in names]
    elif suite in (None, "full"):
        chosen = list(evals.values())
    elif suite == "quick":
        chosen = [e for e in evals.values() if e.quick]
    elif suite == "offline":
        chosen = [e for e in evals.values() if e.offline]
    elif suite in evals:
        chosen = [evals[suite]]
    else:
        cats = {e.category for e in evals.values()}
        if suite in cats:
            chosen = [e for e in evals.values() if e.category == suite]
        else:
            raise BrlError(f"unknown suite {suite!r}; use one of {', '.join(SUITES)}, a category or an eval id")
    if suite and names and suite != "full":
        allowed = {e.id for e in select(suite)}
        chosen = [e for e in chosen if e.id in allowed]
    return chosen
