"""Chat endpoints (judges, generators) through Inspect's model API.

Inspect brings providers, retries with backoff, connection limits and response caching. Keys and
base URLs come from the environment only (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, or
`<NAME>_API_KEY` / `<NAME>_BASE_URL` for `openai-api/<name>/<model>`), never from config files.

Inspect's plain `openai/` provider speaks the Responses API, which chat-completions servers (vLLM,
Ollama, our fake server) do not serve; for those use `openai-api/<name>/<model>`, or set
`base_url` here, which switches `openai/` to chat completions.
"""

from __future__ import annotations

from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.models.spec import ModelSpec, parse_spec


def get_chat_model(
    spec: str | ModelSpec,
    base_url: str | None = None,
    max_connections: int | None = None,
    max_retries: int | None = None,
    timeout: int | None = None,
    **config: Any,
) -> Any:
    """Return an Inspect `Model` for an endpoint spec."""
    from inspect_ai.model import GenerateConfig, get_model

    spec = spec if isinstance(spec, ModelSpec) else parse_spec(spec)
    if spec.kind != "endpoint":
        raise BrlError(f"{spec.raw!r} is not a chat endpoint (expected e.g. openai/MODEL or openai-api/NAME/MODEL)")
    gen = GenerateConfig(max_connections=max_connections, max_retries=max_retries, timeout=timeout, **config)
    model_args: dict[str, Any] = {}
    if base_url and spec.name.startswith("openai/"):
        model_args["responses_api"] = False
    try:
        return get_model(spec.name, config=gen, base_url=base_url, memoize=False, **model_args)
    except Exception as e:  # Inspect raises plain exceptions for missing keys / unknown providers
        raise BrlError(f"cannot open chat endpoint {spec.raw!r}: {e}") from None


async def chat_endpoint(model: Any, messages: list[dict[str, str]], **config: Any) -> str:
    """One reply from an Inspect model for plain role/content messages."""
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageUser,
        GenerateConfig,
    )

    kinds = {"system": ChatMessageSystem, "user": ChatMessageUser, "assistant": ChatMessageAssistant}
    msgs = [kinds[m["role"]](content=m["content"]) for m in messages]
    out = await model.generate(msgs, config=GenerateConfig(**config))
    return out.completion
