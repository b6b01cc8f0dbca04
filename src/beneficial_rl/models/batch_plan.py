"""Which queued generation requests share a batch.

A `generate` batch is padded to its longest prompt and decodes until its slowest row, so on a CPU a
batch costs roughly a fixed amount per decode step (the model's layer-by-layer launch overhead,
which dominates for small models) plus the prefill of every padded prompt token. One batch of short
questions and 1,000-token jailbreak templates wastes the padding; ten batches of one row each pay
the per-step overhead ten times. `plan_batches` sorts requests by prompt length and cuts the sorted
list where the padding saved outweighs another batch's fixed cost (an exact dynamic programme:
batches are contiguous runs of the sorted order, which is optimal for padding).

The cost unit is one prompt token of prefill; `step_cost_tokens` is a decode step's fixed cost in
those units (the caller knows its device and precision: models/inspect_local.py). Its exact value
matters little: it only decides how much padding is worth one more batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

DEFAULT_STEP_COST_TOKENS = 35


def plan_batches(lengths: Sequence[int], max_new_tokens: int, max_rows: int, max_batch_tokens: int,
                 step_cost_tokens: int = DEFAULT_STEP_COST_TOKENS) -> list[list[int]]:
    """Indices of `lengths` grouped into batches, shortest prompts first, minimising estimated cost.

    A batch holds at most `max_rows` rows and at most `max_batch_tokens` padded prompt tokens (rows x
    its longest prompt: the memory bound); a single prompt longer than that still gets its own batch.
    """
    if max_rows < 1 or max_batch_tokens < 1:
        raise ValueError(f"max_rows and max_batch_tokens must be positive, got {max_rows} and {max_batch_tokens}")
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    sorted_len = [lengths[i] for i in order]
    fixed = max(1, max_new_tokens) * step_cost_tokens
    best = [0.0] + [math.inf] * len(order)  # best[j]: cheapest plan for the first j sorted requests
    cut = [0] * (len(order) + 1)
    for j in range(1, len(order) + 1):
        longest = sorted_len[j - 1]
        for i in range(j - 1, max(-1, j - 1 - max_rows), -1):
            rows = j - i
            if rows > 1 and rows * longest > max_batch_tokens:
                break
            cost = best[i] + fixed + rows * longest
            if cost < best[j]:
                best[j], cut[j] = cost, i
    batches: list[list[int]] = []
    j = len(order)
    while j > 0:
        batches.append(order[cut[j]:j])
        j = cut[j]
    return batches[::-1]
