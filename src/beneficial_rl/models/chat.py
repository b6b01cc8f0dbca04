"""One-shot chat and model description, for `brl model chat` and `brl model info`."""

from __future__ import annotations

import asyncio
from typing import Any

from beneficial_rl.models.spec import parse_spec


def reply(spec: str | None, messages: list[dict[str, str]], max_new_tokens: int = 256,
          temperature: float = 0.0) -> str:
    """The reply of a local policy or an endpoint to a conversation."""
    ms = parse_spec(spec)
    if ms.kind == "endpoint":
        from beneficial_rl.models.endpoint import chat_endpoint, get_chat_model

        model = get_chat_model(ms)
        return asyncio.run(chat_endpoint(model, messages, max_tokens=max_new_tokens, temperature=temperature))
    from beneficial_rl.models.generate import chat_batch
    from beneficial_rl.models.loading import load_policy

    model, tok = load_policy(ms)
    return chat_batch(model, tok, [messages], max_new_tokens=max_new_tokens, temperature=temperature)[0]


def describe(spec: str | None) -> dict[str, Any]:
    """Facts a researcher wants before training a model: size, dtype, template, where it lives."""
    ms = parse_spec(spec)
    info: dict[str, Any] = {"spec": ms.raw, "kind": ms.kind}
    if ms.kind == "endpoint":
        info["provider"] = ms.name.split("/", 1)[0]
        info["model"] = ms.name.split("/", 1)[1]
        return info
    from beneficial_rl.models.loading import load_policy, local_path

    path = local_path(ms)
    model, tok = load_policy(ms, device="cpu")
    info["location"] = path
    if ms.kind == "embedded":
        from beneficial_rl.models.embedded import gguf_path

        info["source"] = str(gguf_path(ms.name))
    info["architecture"] = type(model).__name__
    info["parameters"] = f"{sum(p.numel() for p in model.parameters()):,}"
    info["dtype"] = str(model.dtype).replace("torch.", "")
    info["layers"] = getattr(model.config, "num_hidden_layers", "?")
    info["context length"] = getattr(model.config, "max_position_embeddings", "?")
    info["vocabulary"] = len(tok)
    template = tok.chat_template or ""
    info["chat template"] = (template[:160] + " …") if len(template) > 160 else template
    return info
