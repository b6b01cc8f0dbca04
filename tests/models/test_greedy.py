"""models/greedy.py gives greedy `generate`'s tokens, with rows dropped as they end and prompts of mixed
lengths prefilled in groups; models it cannot serve exactly go through `generate`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from beneficial_rl.models import greedy
from beneficial_rl.models.generate import eos_ids, generate_ids


def _tiny(model_type: str, **extra):
    """A 2-layer random model of the family, in float64 so that batching order cannot flip an argmax."""
    from transformers import AutoConfig, AutoModelForCausalLM

    torch.manual_seed(0)
    config = AutoConfig.for_model(model_type, vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                  num_attention_heads=4, num_key_value_heads=2, head_dim=8,
                                  max_position_embeddings=256, eos_token_id=5, pad_token_id=0, **extra)
    config._attn_implementation = "sdpa"
    return AutoModelForCausalLM.from_config(config).double().eval()


def _prompts() -> list[list[int]]:
    gen = torch.Generator().manual_seed(1)
    lengths = [3, 40, 7, 7, 120, 1, 15, 64]  # singletons, equal lengths and long padding in one batch
    return [torch.randint(6, 97, (n,), generator=gen).tolist() for n in lengths]


def _reference(model, prompts, max_new_tokens):
    """`generate` on the same batch with the fast path switched off."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(greedy, "supported", lambda m: False)
        return generate_ids(model, SimpleNamespace(pad_token_id=0), prompts, max_new_tokens)


@pytest.mark.parametrize("model_type", greedy.FAMILIES)
def test_same_tokens_as_generate(model_type):
    model = _tiny(model_type)
    assert greedy.supported(model)
    prompts = _prompts()
    ref = _reference(model, prompts, 24)
    # a common token as EOS, so that rows end at different steps and get dropped from the batch
    common = max(range(97), key=lambda t: sum(row.count(t) for row in ref))
    model.generation_config.eos_token_id = [5, common]
    ref = _reference(model, prompts, 24)
    ends = {len(r) for r in ref}
    assert len(ends) > 2 and min(ends) < 24  # the comparison covers rows ending early, at different steps
    assert greedy.greedy_ids(model, prompts, 24, eos_ids(model)) == ref


def test_grouped_prefill_and_row_dropping_both_happen(monkeypatch):
    model = _tiny("llama")
    prompts = _prompts()
    model.generation_config.eos_token_id = [5, *range(6, 40)]  # most rows end within a few steps
    calls: list[tuple[int, int]] = []
    real = model.forward

    def spy(*args, **kwargs):
        calls.append(tuple(kwargs["input_ids"].shape))
        return real(*args, **kwargs)

    monkeypatch.setattr(model, "forward", spy)
    out = greedy.greedy_ids(model, prompts, 16, eos_ids(model))
    prefill = [c for c in calls if c[1] > 1]
    decode_rows = [c[0] for c in calls if c[1] == 1]
    assert len(prefill) > 1 and sum(r for r, _ in prefill) == len(prompts)  # several groups, every row once
    assert all(w <= 120 for _, w in prefill) and any(w < 120 for _, w in prefill)
    assert decode_rows == sorted(decode_rows, reverse=True) and decode_rows[-1] < len(prompts)
    assert all(len(o) <= 16 for o in out) and all(o[-1] in eos_ids(model) or len(o) == 16 for o in out)


def test_models_it_cannot_serve_exactly_go_through_generate():
    model = _tiny("llama")
    model.generation_config.repetition_penalty = 1.3
    assert not greedy.supported(model)
    sliding = _tiny("qwen2", use_sliding_window=True, sliding_window=8, max_window_layers=0)
    assert not greedy.supported(sliding)
    eager = _tiny("llama")
    eager.config._attn_implementation = "flex_attention"
    assert not greedy.supported(eager)
