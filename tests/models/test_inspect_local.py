"""`brl-hf/`: batched replies equal one-at-a-time replies, batches fill across concurrent requests,
and what it cannot do fails loudly."""

from __future__ import annotations

import asyncio

import pytest
from inspect_ai.model import ChatMessageUser, GenerateConfig, get_model
from inspect_ai.tool import ToolInfo, ToolParams

from beneficial_rl.errors import BrlError
from beneficial_rl.models.generate import chat_batch
from beneficial_rl.models.inspect_local import resolve_dtype
from beneficial_rl.models.loading import load_policy

PROMPTS = ["Hello there.", "What is two plus two? Answer briefly please, with care and detail.", "Name a colour.",
           "Tell me a very long and winding story about a lighthouse keeper and her cat, in detail."]


def _model(path, **args):
    return get_model("brl-hf/tiny", config=GenerateConfig(max_tokens=12, temperature=0.0), model_path=path,
                     dtype="float32", memoize=False, **args)


def test_replies_match_unbatched_greedy_generation_and_batches_fill(tiny_model_path):
    model = _model(tiny_model_path)

    async def ask_all():
        return await asyncio.gather(*(model.generate([ChatMessageUser(content=p)]) for p in PROMPTS))

    outs = asyncio.run(ask_all())
    policy, tok = load_policy(tiny_model_path, dtype="float32", device="cpu")
    alone = [chat_batch(policy, tok, [[{"role": "user", "content": p}]], max_new_tokens=12, batch_size=1)[0]
             for p in PROMPTS]
    assert [o.completion.strip() for o in outs] == alone
    assert model.api.batcher.batches_run < len(PROMPTS)  # concurrent requests shared a generate call
    for o, p in zip(outs, PROMPTS, strict=True):
        assert 0 < o.usage.output_tokens <= 12
        assert o.usage.input_tokens == len(tok.apply_chat_template([{"role": "user", "content": p}],
                                                                   add_generation_prompt=True, tokenize=True)["input_ids"])
        assert o.choices[0].stop_reason in ("stop", "max_tokens")


def test_row_limit_splits_batches(tiny_model_path):
    model = _model(tiny_model_path, batch_rows=1)

    async def ask_all():
        return await asyncio.gather(*(model.generate([ChatMessageUser(content=p)]) for p in PROMPTS))

    asyncio.run(ask_all())
    assert model.api.batcher.batches_run == len(PROMPTS)


def test_tools_and_unknown_args_fail_loudly(tiny_model_path):
    model = _model(tiny_model_path)
    tool = ToolInfo(name="search", description="search", parameters=ToolParams())
    with pytest.raises(BrlError, match="tool calls"):
        asyncio.run(model.generate([ChatMessageUser(content="hi")], tools=[tool]))
    with pytest.raises(BrlError, match="unknown model args"):
        _model(tiny_model_path, temperatur=0.1)
    with pytest.raises(BrlError, match="must be positive"):
        _model(tiny_model_path, batch_rows=0)


def test_dtype_auto_follows_training_precision():
    # float32 on a CPU: bf16 would round away a CPU-trained checkpoint's small updates
    assert resolve_dtype("auto", "cpu") == "float32"
    assert resolve_dtype("bfloat16", "cpu") == "bfloat16"
