"""Train/eval disjointness: flag evaluation items that near-duplicate training items.

Similarity is word n-gram containment over user turns: the share of the smaller text's n-grams
that also occur in the other. Containment (rather than Jaccard) catches an eval item pasted inside
a longer training conversation. Shingles of 5 words ignore shared stock phrases ("what should I
do") while a reworded copy of a situation still shares many. Method.md: contamination between
training conversations, attack data and eval items invalidates results, so this runs in the tests.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

DEFAULT_N = 5
DEFAULT_THRESHOLD = 0.25


def shingles(text: str, n: int = DEFAULT_N) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def containment(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class Item:
    """Anything with an id and the text a model would be prompted with."""

    id: str
    text: str
    group: str = ""  # "train", "eval", "attack", an eval name, ...


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    similarity: float


def find_near_duplicates(
    left: Sequence[Item],
    right: Sequence[Item],
    n: int = DEFAULT_N,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Pair]:
    """Every (left, right) pair whose containment similarity reaches `threshold`, worst first.

    An inverted index over right's shingles means only pairs sharing an n-gram are compared, so
    thousands of items check in well under a second.
    """
    right_sh = [shingles(r.text, n) for r in right]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, sh in enumerate(right_sh):
        for g in sh:
            index[g].append(j)
    pairs: list[Pair] = []
    for item in left:
        sh = shingles(item.text, n)
        shared: dict[int, int] = defaultdict(int)
        for g in sh:
            for j in index.get(g, ()):
                shared[j] += 1
        for j, count in shared.items():
            denom = min(len(sh), len(right_sh[j]))
            sim = count / denom if denom else 0.0
            if sim >= threshold and item.id != right[j].id:
                pairs.append(Pair(item.id, right[j].id, round(sim, 3)))
    return sorted(pairs, key=lambda p: -p.similarity)


def scenario_items(scenarios, group: str) -> list[Item]:
    return [Item(s.id, s.user_text, group) for s in scenarios]


def check_library(
    extra: Sequence[Item] = (), n: int = DEFAULT_N, threshold: float = DEFAULT_THRESHOLD
) -> list[Pair]:
    """Held-out eval scenarios, plus `extra` protected items (eval suites, attack data), against
    the training scenarios."""
    from beneficial_rl.scenarios.io import load_library

    train = scenario_items(load_library("train"), "train")
    held_out = scenario_items(load_library("eval"), "eval")
    return find_near_duplicates(held_out + list(extra), train, n, threshold)
