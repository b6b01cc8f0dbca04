"""Overlap between standard RL items and eval items, at the level of the text.

The index holds every item of every eval that loads offline (prompt text and, where an eval has
one, its answer). A training prompt overlaps when its normalised text equals an eval prompt, when
it shares a run of N_GRAM words with one, or when an eval prompt of at least N_GRAM words is
contained in it. The hub loaders drop overlapping rows; the tests run every generated family
through it. Situation-level overlap (the same story in other words) is a separate check.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

N_GRAM = 8


def normalize(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _grams(words: list[str], n: int = N_GRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@dataclass
class EvalIndex:
    exact: dict[str, str] = field(default_factory=dict)  # normalised prompt -> eval id
    grams: dict[tuple[str, ...], str] = field(default_factory=dict)  # word n-gram -> eval id
    items: int = 0

    def add(self, eval_id: str, text: str) -> None:
        words = normalize(text)
        if not words:
            return
        self.items += 1
        self.exact.setdefault(" ".join(words), eval_id)
        for g in _grams(words):
            self.grams.setdefault(g, eval_id)

    def overlaps(self, text: str) -> list[str]:
        """The evals whose items this text overlaps (empty when none)."""
        words = normalize(text)
        hits = {self.exact[" ".join(words)]} if " ".join(words) in self.exact else set()
        hits |= {self.grams[g] for g in _grams(words) if g in self.grams}
        return sorted(hits)


@functools.lru_cache(maxsize=1)
def eval_texts() -> tuple[tuple[str, str], ...]:
    """(eval id, text) for every user turn of every offline eval item (an item in two evals is
    indexed under the first)."""
    from beneficial_rl.evals import suite  # noqa: F401  (fills the registry)
    from beneficial_rl.evals.context import EvalContext
    from beneficial_rl.evals.inventory import _CountOnly
    from beneficial_rl.evals.suite import select

    ctx = EvalContext(grader=_CountOnly(), refusal=None)
    out: list[tuple[str, str]] = []
    for info in select("offline"):
        for sample in info.factory(ctx).dataset:
            turns = [sample.input] if isinstance(sample.input, str) else \
                [m.text for m in sample.input if getattr(m, "role", "") == "user"]
            out.extend((info.id, t) for t in turns if t)
    return tuple(out)


@functools.lru_cache(maxsize=1)
def eval_index() -> EvalIndex:
    index = EvalIndex()
    for eval_id, text in eval_texts():
        index.add(eval_id, text)
    return index
