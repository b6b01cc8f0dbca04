"""Parse a model spec string into what it names, without loading anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from beneficial_rl.errors import BrlError

DEFAULT_MODEL = "embedded:smollm2-135m-instruct"

# Inspect providers we route chat endpoints through. A spec whose first path segment is one of
# these is an endpoint; anything else with a slash is a hub id. (`hf` is Inspect's local
# transformers provider; use the `hf:` prefix for our own loader.)
ENDPOINT_PROVIDERS = frozenset(
    {
        "openai", "openai-api", "anthropic", "google", "vllm", "sglang", "ollama", "together",
        "groq", "mistral", "fireworks", "openrouter", "azureai", "bedrock", "grok", "perplexity",
        "llama-cpp-python", "mockllm", "hf",
    }
)

Kind = Literal["embedded", "hf", "endpoint"]


@dataclass(frozen=True)
class ModelSpec:
    """A resolved spec: `kind` says which loader applies, `name` is what that loader takes."""

    raw: str
    kind: Kind
    name: str

    @property
    def is_local_policy(self) -> bool:
        """True when the weights can be loaded here and trained (embedded or transformers)."""
        return self.kind in ("embedded", "hf")


def parse_spec(spec: str | None) -> ModelSpec:
    """Resolve `spec` (None means the embedded default) or raise a BrlError that lists the forms."""
    raw = (spec or DEFAULT_MODEL).strip()
    if not raw:
        raw = DEFAULT_MODEL
    if raw.startswith("embedded:"):
        from beneficial_rl.models.embedded import EMBEDDED_MODELS

        name = raw.split(":", 1)[1]
        if name not in EMBEDDED_MODELS:
            raise BrlError(
                f"unknown embedded model {name!r}; available: {', '.join(sorted(EMBEDDED_MODELS))}"
            )
        return ModelSpec(raw, "embedded", name)
    if raw.startswith("hf:"):
        return ModelSpec(raw, "hf", raw[3:])
    if ":" in raw.split("/", 1)[0] and not Path(raw).exists():
        raise BrlError(f"unknown model spec {raw!r}. {_FORMS}")
    if Path(raw).expanduser().exists():
        return ModelSpec(raw, "hf", str(Path(raw).expanduser()))
    head = raw.split("/", 1)[0]
    if "/" in raw and head in ENDPOINT_PROVIDERS:
        return ModelSpec(raw, "endpoint", raw)
    if raw.count("/") == 1 and all(raw.split("/")):
        return ModelSpec(raw, "hf", raw)
    raise BrlError(f"unknown model spec {raw!r}. {_FORMS}")


_FORMS = (
    "Use one of: 'embedded:smollm2-135m-instruct' (default), a Hugging Face hub id such as "
    "'HuggingFaceTB/SmolLM2-360M-Instruct', a local model folder, 'hf:NAME_OR_PATH', or a chat "
    "endpoint such as 'openai/gpt-4.1-mini' or 'openai-api/NAME/MODEL' (with NAME_BASE_URL set)."
)
