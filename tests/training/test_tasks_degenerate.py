"""No trivial reply earns reward on any standard family: the degenerate panel (grading/degenerate.py)
scores at most 0.05 on average per family, and per policy."""

from __future__ import annotations

from itertools import islice

import pytest

from beneficial_rl.grading.degenerate import POLICIES, PanelContext, responses
from beneficial_rl.training.config import default_sources
from beneficial_rl.training.tasks import FAMILY, GENERATORS, verify

CEILING = 0.05
N = 150  # items per source


def panel_means(kind: str, n: int = N, seed: str = "panel") -> dict[str, float]:
    totals = dict.fromkeys(POLICIES, 0.0)
    for item in islice(GENERATORS[kind](seed), n):
        ctx = PanelContext(user_text=item.messages[-1]["content"])
        for policy, reply in responses(ctx).items():
            totals[policy] += verify(item.reward_kind, reply, item.target)
    return {p: t / n for p, t in totals.items()}


@pytest.mark.parametrize("kind", [s.kind for s in default_sources()])
def test_degenerate_panel_earns_nothing(kind: str) -> None:
    means = panel_means(kind)
    assert max(means.values()) <= CEILING, (FAMILY[kind], means)


def test_every_default_family_is_covered() -> None:
    assert {FAMILY[s.kind] for s in default_sources()} == {"math", "code", "instructions", "qa", "logic", "structured"}


def test_the_old_instruction_hole_is_closed() -> None:
    """'Ok.' used to earn full reward on 11.6% of instruction items (mean 0.285)."""
    assert panel_means("instructions", n=400, seed="0")["sure"] == 0.0
    items = list(islice(GENERATORS["instructions"]("0"), 400))
    assert sum(verify(i.reward_kind, "Ok.", i.target) for i in items) == 0.0
