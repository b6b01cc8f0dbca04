"""Batched chat generation with a local policy.

One batched decode per batch: on CPU this is several times faster than one conversation at a
time, which matters for evals and for the quickstart's wall time. `generate_ids` is the one entry
point: greedy decoding through models/greedy.py where it gives `generate`'s tokens, else one
left-padded `generate` call. `chat_batch` (for `brl model chat`) and the `brl-hf/` eval model
(models/inspect_local.py) both go through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beneficial_rl.models import greedy
from beneficial_rl.models.batch_plan import DEFAULT_STEP_COST_TOKENS

Message = dict[str, str]


def eos_ids(model: Any) -> set[int]:
    eos = model.generation_config.eos_token_id
    return set(eos if isinstance(eos, list) else [eos]) - {None}


def pad_id(model: Any, tokenizer: Any) -> int:
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else next(iter(eos_ids(model)), 0)


def prompt_ids(tokenizer: Any, conversation: Sequence[Message]) -> list[int]:
    """A conversation as the token ids the model continues (chat template, generation prompt)."""
    text = tokenizer.apply_chat_template(list(conversation), tokenize=False, add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def generate_ids(model: Any, tokenizer: Any, prompts: Sequence[Sequence[int]], max_new_tokens: int,
                 temperature: float = 0.0, top_p: float | None = None, top_k: int | None = None,
                 stop_strings: Sequence[str] = (), step_cost_tokens: int = DEFAULT_STEP_COST_TOKENS) -> list[list[int]]:
    """New token ids per prompt from one left-padded `generate` call, each cut after its first EOS.
    Greedy when temperature is 0, through models/greedy.py where that model allows it (same tokens,
    less work); a caller that samples seeds torch first. `step_cost_tokens`: see models/batch_plan.py."""
    import torch

    if temperature <= 0 and not stop_strings and greedy.supported(model):
        return greedy.greedy_ids(model, prompts, max_new_tokens, eos_ids(model), step_cost_tokens)

    pad = pad_id(model, tokenizer)
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (width - len(p)) + list(p) for p in prompts], device=model.device)
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=model.device)
    kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "pad_token_id": pad}
    if temperature > 0:
        kwargs.update(do_sample=True, temperature=temperature, top_p=top_p, top_k=top_k)
    else:
        kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
    if stop_strings:
        kwargs.update(stop_strings=list(stop_strings), tokenizer=tokenizer)
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=mask, **kwargs)
    eos = eos_ids(model)
    rows = []
    for row in out[:, width:].tolist():
        end = next((k + 1 for k, t in enumerate(row) if t in eos), None)
        rows.append(row[:end] if end is not None else row)
    return rows


def chat_batch(
    model: Any,
    tokenizer: Any,
    conversations: Sequence[Sequence[Message]],
    max_new_tokens: int = 256,
    temperature: float = 0.0,
    batch_size: int = 8,
    seed: int | None = None,
) -> list[str]:
    """Reply to each conversation; greedy when temperature is 0."""
    import torch

    if seed is not None:
        torch.manual_seed(seed)
    replies: list[str] = []
    for start in range(0, len(conversations), batch_size):
        prompts = [prompt_ids(tokenizer, c) for c in conversations[start : start + batch_size]]
        for tokens in generate_ids(model, tokenizer, prompts, max_new_tokens, temperature, top_p=1.0):
            replies.append(tokenizer.decode(tokens, skip_special_tokens=True))
    return [r.strip() for r in replies]
