"""What every eval's scorer may need, built once per `brl eval` run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beneficial_rl.grading.base import Grader


@dataclass
class EvalContext:
    """Shared scoring machinery for one evaluation run.

    `grader` is the *eval* judge (frozen protocol, never used for training decisions) or the
    offline grader when no judge is configured; `grader.approximate` says which, and every result
    records `judge`. `refusal` is the refusal classifier recorded on every sample, which the
    report's refusal-controlled analysis needs.
    """

    grader: Grader
    refusal: Any  # grading.refusal.RefusalClassifier
    trait_grader: Grader | None = None  # rubric-free trait judge
    max_tokens: int = 256
    sandbox_timeout_s: float = 10.0
    sandbox: str = "brl"  # where model-written code runs: brl, local or docker (evals/reward_hacking/sandbox.py)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def judge(self) -> str:
        return self.grader.name

    def grader_record(self) -> dict[str, Any]:
        """Name, approximate flag and protocol hash of the eval grader, as results record them."""
        return _record(self.grader)

    def refusal_record(self) -> dict[str, Any]:
        return _record(self.refusal)


def _record(component: Any) -> dict[str, Any]:
    return {"name": str(getattr(component, "name", component)),
            "approximate": bool(getattr(component, "approximate", False)),
            "protocol": getattr(component, "protocol", None)}


def build_context(judge: object = "offline", trait_judge: object | None = None, refusal: object | None = None,
                  max_tokens: int = 256, sandbox: str = "brl") -> EvalContext:
    """The eval-role graders from config: `judge` is 'offline' or an eval judge spec/JudgeConfig.

    The refusal classifier follows the judge unless given: offline with the offline grader, the
    LLM version with an LLM judge (so refusal-controlled comparisons use the best classifier
    available)."""
    from beneficial_rl.grading.factory import make_grader, make_refusal_classifier, make_trait_grader

    grader = make_grader(judge, use="eval")
    trait = make_trait_grader(trait_judge if trait_judge is not None else judge)
    refusal_clf = make_refusal_classifier(refusal if refusal is not None else judge)
    return EvalContext(grader=grader, refusal=refusal_clf, trait_grader=trait, max_tokens=max_tokens, sandbox=sandbox)


def context_from_roles(max_tokens: int = 256) -> EvalContext:
    """The eval-role graders from the running Inspect eval's model roles (`grader`,
    `refusal_classifier`): the offline grader when no role is bound or the role is `brl/offline`, the
    LLM eval judge for any chat model. See grading/inspect_provider.py."""
    from beneficial_rl.grading.inspect_provider import grader_for, refusal_for, role_models, trait_grader_for

    grader_model, refusal_model = role_models()
    return EvalContext(grader=grader_for(grader_model), refusal=refusal_for(refusal_model),
                       trait_grader=trait_grader_for(grader_model), max_tokens=max_tokens)
