"""Coverage of the library: trait x domain counts per split, and the contamination result."""

from __future__ import annotations

from collections import Counter
from typing import Any

from beneficial_rl.scenarios.contamination import DOMAIN_TAGS_NOTE, check_situations, load_corpus
from beneficial_rl.scenarios.schema import Scenario
from beneficial_rl.taxonomy import domains, held_out_traits, traits

MIN_TRAIN_PER_CELL = 2
MIN_EVAL_PER_CELL = 1


def library_stats(train: list[Scenario], held_out: list[Scenario], contamination_evals: str = "all") -> dict[str, Any]:
    """Counts a researcher (or a script, via --json) needs to trust the library.

    The contamination check is the situation-level one (scenarios.contamination.check_situations) of
    the shipped training scenarios, attack data, held-out scenarios and offline eval items;
    `contamination_evals` = "all" compares every offline eval's items, "domains" only those of evals
    tagged with a domain (health, engineering: the ones that share a domain with the library)."""
    tcount = Counter((s.trait, s.domain) for s in train)
    ecount = Counter((s.trait, s.domain) for s in held_out)
    held = held_out_traits()
    train_gaps = [f"{t}/{d}" for t in traits() for d in domains() if tcount[(t, d)] < MIN_TRAIN_PER_CELL]
    eval_gaps = [f"{t}/{d}" for t in held for d in domains() if ecount[(t, d)] < MIN_EVAL_PER_CELL]
    leaked = [s.id for s in held_out if s.trait not in held]
    corpus = load_corpus()
    flagged = check_situations(corpus, eval_domains=None if contamination_evals == "all" else domains())
    pairs = [p for p in flagged if not p.reviewed]
    turns = Counter(sum(m.role == "user" for m in s.messages) for s in train + held_out)
    return {
        "splits": {"train": len(train), "eval": len(held_out)},
        "train_cells": {f"{t}/{d}": tcount[(t, d)] for t in traits() for d in domains()},
        "eval_cells": {f"{t}/{d}": ecount[(t, d)] for t in held for d in domains()},
        "train_cells_below_minimum": train_gaps,
        "eval_cells_below_minimum": eval_gaps,
        "eval_items_of_non_held_out_traits": leaked,
        "user_turns_histogram": dict(sorted(turns.items())),
        "with_system_prompt": sum(s.messages[0].role == "system" for s in train + held_out),
        "contamination": {
            "pairs": [{**p.__dict__, "shared": list(p.shared)} for p in pairs], "count": len(pairs),
            "reviewed_distinct": [{"a": p.a, "b": p.b, "score": p.score, "why": p.reviewed} for p in flagged if p.reviewed],
            "compared": {"train": len(corpus.train), "attack": len(corpus.attack), "held_out": len(corpus.held_out),
                         "evals": len(corpus.evals_built) if contamination_evals == "all" else DOMAIN_TAGS_NOTE},
        },
        "ok": not (train_gaps or eval_gaps or leaked or pairs),
    }
