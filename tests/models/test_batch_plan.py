"""Batch planning: every request once, limits respected, and the plan is the cheapest under its cost."""

from __future__ import annotations

import itertools
import random

import pytest

from beneficial_rl.models.batch_plan import DEFAULT_STEP_COST_TOKENS as STEP_COST_TOKENS
from beneficial_rl.models.batch_plan import plan_batches


def _cost(lengths, batches, steps):
    return sum(steps * STEP_COST_TOKENS + len(b) * max(lengths[i] for i in b) for b in batches)


def _partitions(items):
    """Every set partition of `items` (small n only)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for k in range(len(part)):
            yield part[:k] + [[first] + part[k]] + part[k + 1:]
        yield [[first]] + part


def test_every_request_planned_exactly_once_within_limits():
    rng = random.Random(0)
    lengths = [rng.choice([30, 80, 200, 400, 1000]) + rng.randrange(20) for _ in range(150)]
    batches = plan_batches(lengths, max_new_tokens=96, max_rows=32, max_batch_tokens=8000)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= 32
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 8000


def test_long_prompts_split_from_short_ones_and_similar_ones_share():
    lengths = [40] * 30 + [1000] * 5
    batches = plan_batches(lengths, max_new_tokens=96, max_rows=64, max_batch_tokens=100_000)
    assert sorted(map(sorted, batches)) == [list(range(30)), list(range(30, 35))]
    # lengths that differ a little cost less padding than another batch's decode: one batch
    assert len(plan_batches([100, 110, 120, 130], 96, 64, 100_000)) == 1


def test_a_prompt_over_the_token_bound_runs_alone():
    assert plan_batches([50, 50, 5000], 16, 8, 1000) == [[0, 1], [2]]


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        plan_batches([1], 8, 0, 10)


@pytest.mark.parametrize("seed", range(12))
def test_plan_is_optimal_among_all_partitions(seed):
    rng = random.Random(seed)
    lengths = [rng.randrange(1, 3000) for _ in range(rng.randrange(1, 7))]
    max_rows, max_tokens, steps = rng.choice([2, 3, 6]), rng.choice([2000, 6000, 50_000]), rng.choice([4, 96])
    plan = plan_batches(lengths, steps, max_rows, max_tokens)

    def feasible(part):
        return all(len(b) <= max_rows and (len(b) == 1 or len(b) * max(lengths[i] for i in b) <= max_tokens)
                   for b in part)

    best = min(_cost(lengths, p, steps) for p in _partitions(list(range(len(lengths)))) if feasible(p))
    assert feasible(plan) and _cost(lengths, plan, steps) == best
    assert list(itertools.chain(*plan)) == sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
