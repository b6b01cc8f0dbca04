"""The training mixture: a trait slice at a requested rate inside a standard RL slice.

Arms of one experiment differ only where they should. Every arm places trait rows at the same
positions (systematic sampling with a seeded phase, so any prefix of the run holds the requested
share to within one row) and fills every other position from the same seeded standard stream.
So the beneficial arm and the compute-matched baseline share all standard rows; the baseline
fills the trait positions from a second, independent standard stream (the slice is *replaced*);
the helpfulness control keeps the beneficial arm's trait rows and changes only their reward.

Rows are plain dicts, one per prompt, that become a `datasets.Dataset`; the rubric and the other
reward inputs travel as columns (JSON strings), which TRL hands to the reward function.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.scenarios.schema import Scenario
from beneficial_rl.training.config import ArmConfig, TrainConfig
from beneficial_rl.training.tasks import StandardItem, source_stream
from beneficial_rl.training.tasks.helpfulness import rubric_for

CountTokens = Callable[[list[dict[str, str]]], int]


@dataclass
class Mixture:
    rows: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)


def trait_positions(n: int, fraction: float, seed: int) -> list[bool]:
    """Row i belongs to the trait slice when floor((i+1)f + u) > floor(i f + u), u a seeded phase.

    Exactly floor(n f + u) of n rows (round(n f) on average), spread evenly, and prefix-stable: a
    longer run keeps the positions of a shorter one, which is what makes resumed and extended runs
    see the same data."""
    if fraction <= 0:
        return [False] * n
    u = random.Random(f"{seed}:phase").random()
    return [math.floor((i + 1) * fraction + u) > math.floor(i * fraction + u) for i in range(n)]


def _standard_stream(cfg: TrainConfig, label: str) -> Iterator[StandardItem]:
    """Draw items from the configured sources by weight, each source with its own seeded stream."""
    rng = random.Random(f"{cfg.seed}:{label}:choice")
    streams = [source_stream(s, f"{cfg.seed}:{label}:{i}") for i, s in enumerate(cfg.standard_data)]
    weights = [s.weight for s in cfg.standard_data]
    while True:
        yield next(rng.choices(streams, weights=weights)[0])


def _standard_row(item: StandardItem, label: str) -> dict[str, Any]:
    return {
        "prompt": item.messages, "source": "standard", "task": item.task, "reward_kind": item.reward_kind,
        "target": json.dumps(item.target), "item_id": f"{label}:{item.id}", "trait": "", "domain": "",
    }


def _trait_row(sc: Scenario, source: str) -> dict[str, Any]:
    if source == "trait":
        rubric = [i.model_dump(exclude_none=True) for i in sc.rubric]
        task = "trait"
    else:  # the control: same conversation, generic helpfulness rubric
        rubric = [i.model_dump(exclude_none=True) for i in rubric_for(None)]
        task = "trait_helpfulness"
    return {
        "prompt": sc.chat(), "source": source, "task": task, "reward_kind": "rubric", "target": json.dumps(rubric),
        "item_id": sc.id, "trait": sc.trait, "domain": sc.domain,
    }


def trait_pool(scenarios: Sequence[Scenario], arm: ArmConfig, cfg: TrainConfig,
               count_tokens: CountTokens) -> tuple[list[Scenario], dict[str, int]]:
    """The arm's eligible scenarios in a seeded order, and why the others were left out."""
    dropped = Counter()
    pool = []
    for sc in scenarios:
        if sc.split != "train":
            raise BrlError(f"scenario {sc.id!r} has split {sc.split!r}: only 'train' scenarios may be trained on")
        if not arm.wants(sc.trait, sc.domain):
            dropped["filtered_by_arm"] += 1
        elif count_tokens(sc.chat()) > cfg.max_prompt_length:
            dropped["longer_than_max_prompt_length"] += 1
        else:
            pool.append(sc)
    pool.sort(key=lambda s: s.id)
    random.Random(f"{cfg.seed}:trait-order").shuffle(pool)
    return pool, dict(dropped)


def build_mixture(cfg: TrainConfig, arm: ArmConfig, scenarios: Sequence[Scenario], n_prompts: int,
                  count_tokens: CountTokens) -> Mixture:
    """The first `n_prompts` rows of this arm's mixture (see the module docstring for the invariants)."""
    positions = trait_positions(n_prompts, cfg.trait_fraction, cfg.seed)
    n_trait = sum(positions)
    pool: list[Scenario] = []
    dropped: dict[str, int] = {}
    if arm.trait_source != "none" and n_trait:
        pool, dropped = trait_pool(scenarios, arm, cfg, count_tokens)
        if not pool:
            raise BrlError(
                f"arm {arm.name!r} has no trait scenarios to train on ({len(scenarios)} given; left out: {dropped}). "
                "Check trait_data, the arm's domain/trait filters and max_prompt_length."
            )
    main, replacement = _standard_stream(cfg, "main"), _standard_stream(cfg, "replacement")
    too_long = Counter()

    def next_fitting(stream: Iterator[StandardItem], label: str) -> dict[str, Any]:
        for _ in range(10_000):
            item = next(stream)
            n = count_tokens(item.messages)
            if n <= cfg.max_prompt_length:
                return {**_standard_row(item, label), "prompt_tokens": n}
            too_long[item.task] += 1
        raise BrlError(f"no standard prompt fits max_prompt_length={cfg.max_prompt_length}; raise it")

    rows: list[dict[str, Any]] = []
    trait_tokens: dict[str, int] = {}
    k = 0
    for is_trait in positions:
        if not is_trait:
            row = next_fitting(main, "main")
        elif arm.trait_source == "none":
            row = next_fitting(replacement, "replacement")
        else:
            sc = pool[k % len(pool)]
            row = _trait_row(sc, "trait" if arm.trait_source == "rubric" else "control")
            if sc.id not in trait_tokens:
                trait_tokens[sc.id] = count_tokens(row["prompt"])
            row["prompt_tokens"] = trait_tokens[sc.id]
            k += 1
        row["row"] = len(rows)
        rows.append(row)

    in_slice = [r for r in rows if r["source"] in ("trait", "control")]
    summary = {
        "arm": arm.name,
        "trait_source": arm.trait_source,
        "prompts": n_prompts,
        "trait_fraction_requested": cfg.trait_fraction,
        "trait_positions": n_trait,
        "trait_slice_rows": len(in_slice),
        "trait_slice_fraction": len(in_slice) / n_prompts if n_prompts else 0.0,
        "trait_scenarios_eligible": len(pool),
        "eligible_by_domain": dict(Counter(sc.domain for sc in pool)),
        "trait_scenarios_used": len({r["item_id"] for r in in_slice}),
        "trait_scenarios_left_out": dropped,
        "standard_prompts_too_long": dict(too_long),
        "by_task": dict(Counter(r["task"] for r in rows)),
        "by_domain": dict(Counter(r["domain"] for r in in_slice)),
        "by_trait": dict(Counter(r["trait"] for r in in_slice)),
    }
    return Mixture(rows, summary)


def chat_token_counter(tokenizer: Any, chat_template_kwargs: dict[str, Any] | None = None) -> CountTokens:
    """Count prompt tokens exactly as TRL renders them (chat template, generation prompt)."""
    kwargs = chat_template_kwargs or {}

    def count(messages: list[dict[str, str]]) -> int:
        enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                            return_dict=True, **kwargs)
        return len(enc["input_ids"])

    return count
