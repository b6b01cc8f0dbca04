"""Greedy decoding of a padded batch without the work `generate` spends on it.

On a CPU, `generate` on a left-padded batch pays three costs that greedy evals do not need:
prefill over every pad token (one 1,000-token jailbreak template pads the batch's other rows to its
length), a KV cache that grows by concatenation (each decode step copies every layer's cache, which
at 1,000 tokens of context costs more than the step's arithmetic), and decode steps for rows that
already ended (a 3-token reply rides along until the batch's longest one). `greedy_ids` prefills
rows in groups of similar length (models/batch_plan.py, one forward's fixed cost against the padding
it saves), writes keys and values in place into one buffer allocated for the batch's final length,
and drops rows from the batch once they end.

It gives the tokens greedy `generate` gives (tests/models/test_greedy.py compares them in float64;
benchmarks/bench_evals.py compares the quick suite's replies in float32), and is used only where that
holds by construction: decoder families whose attention reads the cache through `update` and a 4D
mask (`FAMILIES`), every layer full attention, and a generation config that adds no logits processor.
Anything else, sampling and stop strings included, goes through `generate` (models/generate.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from beneficial_rl.models.batch_plan import DEFAULT_STEP_COST_TOKENS, plan_batches

# Families checked token for token against `generate` in the tests.
FAMILIES = ("llama", "qwen2", "qwen3")
# Generation-config fields whose non-default values add a logits processor to greedy `generate`.
_PROCESSOR_FIELDS = ("repetition_penalty", "no_repeat_ngram_size", "bad_words_ids", "min_length", "min_new_tokens",
                     "suppress_tokens", "begin_suppress_tokens", "forced_bos_token_id", "forced_eos_token_id",
                     "sequence_bias", "exponential_decay_length_penalty", "encoder_repetition_penalty")
# Most padded prompt tokens in one prefill forward (activation memory, not speed, sets it).
PREFILL_TOKENS = 8192


def supported(model: Any) -> bool:
    """Whether `greedy_ids` gives exactly what greedy `generate` gives for this model."""
    from transformers import GenerationConfig

    cfg = model.config
    if getattr(cfg, "model_type", None) not in FAMILIES:
        return False
    if getattr(cfg, "_attn_implementation", None) not in ("sdpa", "eager"):
        return False
    layer_types = getattr(cfg, "layer_types", None)
    if layer_types is not None:
        if any(t != "full_attention" for t in layer_types):
            return False
    elif getattr(cfg, "sliding_window", None) and getattr(cfg, "use_sliding_window", True):
        return False
    gen, default = model.generation_config, GenerationConfig()
    return all(getattr(gen, f, None) == getattr(default, f, None) for f in _PROCESSOR_FIELDS)


class _KVBuffer:
    """Every layer's keys and values for the rows still decoding, preallocated to the final length.

    The model's attention calls only `update` on its cache when it is given positions and a 4D mask,
    so this stands in for transformers' cache classes. Columns are aligned across rows (left padding):
    column `col` is the same decode step for every row.
    """

    def __init__(self, rows: int, length: int) -> None:
        self.rows, self.length = rows, length
        self.keys: list[Any] = []
        self.values: list[Any] = []
        self.col = 0  # first column the next forward writes
        self.prefill_rows: Any = None  # buffer rows a prefill forward writes; None while decoding

    def update(self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        import torch

        if layer_idx == len(self.keys):
            shape = (self.rows, key_states.shape[1], self.length, key_states.shape[-1])
            self.keys.append(torch.zeros(shape, dtype=key_states.dtype, device=key_states.device))
            self.values.append(torch.zeros(shape[:3] + value_states.shape[-1:], dtype=value_states.dtype,
                                           device=value_states.device))
        end = self.col + key_states.shape[-2]
        if self.prefill_rows is not None:
            self.keys[layer_idx][self.prefill_rows, :, self.col:end] = key_states
            self.values[layer_idx][self.prefill_rows, :, self.col:end] = value_states
            return key_states, value_states  # a prefill attends to its own tokens only
        self.keys[layer_idx][:, :, self.col:end] = key_states
        self.values[layer_idx][:, :, self.col:end] = value_states
        return self.keys[layer_idx][:, :, :end], self.values[layer_idx][:, :, :end]

    def get_seq_length(self, layer_idx: int = 0) -> int:
        return self.col

    def keep(self, rows: Any, first_col: int) -> None:
        """Only these buffer rows from now on, and only columns from `first_col` (all-padding before it)."""
        self.keys = [k[rows, :, first_col:] for k in self.keys]
        self.values = [v[rows, :, first_col:] for v in self.values]
        self.rows, self.length, self.col = len(rows), self.length - first_col, self.col - first_col


def _mask(valid: Any, queries: int, dtype: Any) -> Any:
    """Additive 4D mask (rows, 1, queries, columns): 0 where a query may attend, the dtype's minimum elsewhere.
    The last `queries` columns are the queries themselves, so causality applies among them."""
    import torch

    cols = valid.shape[1]
    causal = torch.ones(queries, cols, dtype=torch.bool, device=valid.device).tril(cols - queries)
    allowed = valid[:, None, None, :] & causal[None, None]
    zero = torch.zeros((), dtype=dtype, device=valid.device)
    return torch.where(allowed, zero, torch.finfo(dtype).min)


def greedy_ids(model: Any, prompts: Sequence[Sequence[int]], max_new_tokens: int, eos: set[int],
               step_cost_tokens: int = DEFAULT_STEP_COST_TOKENS) -> list[list[int]]:
    """New token ids per prompt, greedy, each cut after its first EOS (as `generate_ids` returns them)."""
    import torch

    device, dtype = model.device, model.dtype
    cache_arg = "past_key_values" if "past_key_values" in inspect.signature(model.forward).parameters else "cache"
    lengths = [len(p) for p in prompts]
    width = max(lengths)
    buf = _KVBuffer(len(prompts), width + max_new_tokens)
    pad_cols = torch.tensor([width - n for n in lengths], device=device)  # first real column of each row
    first = torch.empty(len(prompts), dtype=torch.long, device=device)

    def forward(ids: Any, mask: Any, positions: Any) -> Any:
        out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1,
                    **{cache_arg: buf})
        return out.logits[:, -1].argmax(-1)

    with torch.inference_mode():
        for group in plan_batches(lengths, 1, len(prompts), PREFILL_TOKENS, step_cost_tokens):
            w = max(lengths[i] for i in group)
            ids = torch.tensor([[0] * (w - lengths[i]) + list(prompts[i]) for i in group], device=device)
            valid = torch.tensor([[False] * (w - lengths[i]) + [True] * lengths[i] for i in group], device=device)
            positions = (valid.long().cumsum(-1) - 1).clamp(min=0)
            buf.prefill_rows, buf.col = torch.tensor(group, device=device), width - w
            first[buf.prefill_rows] = forward(ids, _mask(valid, w, dtype), positions)
        buf.prefill_rows, buf.col = None, width

        rows = list(range(len(prompts)))  # original index of each buffer row
        out: list[list[int]] = [[] for _ in prompts]
        done = [False] * len(prompts)
        tokens = first
        for step in range(max_new_tokens):
            for r, t in zip(rows, tokens.tolist(), strict=True):
                if not done[r]:
                    out[r].append(t)
                    done[r] = t in eos
            if step == max_new_tokens - 1:
                break
            finished = sum(done[r] for r in rows)
            if finished == len(rows):
                break
            if finished and finished * 8 >= len(rows):  # drop ended rows once they are worth a copy
                keep = [k for k, r in enumerate(rows) if not done[r]]
                idx = torch.tensor(keep, device=device)
                pad_cols, tokens = pad_cols[idx], tokens[idx]
                start = int(pad_cols.min())
                buf.keep(idx, start)
                pad_cols = pad_cols - start
                rows = [rows[k] for k in keep]
            valid = torch.arange(buf.col + 1, device=device)[None, :] >= pad_cols[:, None]
            tokens = forward(tokens[:, None], _mask(valid, 1, dtype), (buf.col - pad_cols)[:, None])
            buf.col += 1
    return out
