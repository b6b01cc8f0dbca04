"""Load a local policy (embedded or transformers) as a model and tokenizer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beneficial_rl.errors import BrlError
from beneficial_rl.models.spec import ModelSpec, parse_spec

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


def local_path(spec: str | ModelSpec | None) -> str:
    """What `from_pretrained` takes for this spec: the cache folder for embedded models, else the
    hub id or folder. Training and Inspect's `hf/` provider both start from this."""
    spec = spec if isinstance(spec, ModelSpec) else parse_spec(spec)
    if spec.kind == "embedded":
        from beneficial_rl.models.embedded import ensure_cached

        return str(ensure_cached(spec.name))
    if spec.kind == "hf":
        return spec.name
    raise BrlError(f"{spec.raw!r} is a chat endpoint, not a local model: it cannot be loaded or trained here")


def _offline_kwargs(path: str) -> dict[str, Any]:
    # A local folder must never trigger a hub lookup, whatever HF_HUB_OFFLINE says.
    return {"local_files_only": True} if Path(path).exists() else {}


def load_tokenizer(spec: str | ModelSpec | None, require_chat_template: bool = True) -> PreTrainedTokenizerBase:
    return tokenizer_from_path(local_path(spec), require_chat_template)


def tokenizer_from_path(path: str, require_chat_template: bool = True) -> PreTrainedTokenizerBase:
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(path, **_offline_kwargs(path))
    except OSError as e:
        raise BrlError(_load_hint(path, e)) from None
    if require_chat_template and not tok.chat_template:
        raise BrlError(
            f"the tokenizer of {path!r} has no chat template; this toolkit trains and evaluates chat "
            "models. Use an instruct/chat model, or add a chat_template to its tokenizer_config.json."
        )
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_policy(
    spec: str | ModelSpec | None, dtype: str = "auto", device: str | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load weights and tokenizer for generation or training. float32 on CPU, bf16 on GPU by default."""
    import torch
    from transformers import AutoModelForCausalLM

    path = local_path(spec)
    tok = tokenizer_from_path(path)
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if dtype == "auto":
        torch_dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    else:
        torch_dtype = getattr(torch, dtype)
    try:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype, **_offline_kwargs(path))
    except OSError as e:
        raise BrlError(_load_hint(path, e)) from None
    model.to(device)
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tok.pad_token_id
    return model, tok


def _load_hint(path: str, err: Exception) -> str:
    if os.environ.get("HF_HUB_OFFLINE") == "1" and not Path(path).exists():
        return f"cannot load {path!r}: HF_HUB_OFFLINE=1 and it is not in the local hub cache. ({err})"
    return f"cannot load model {path!r}: {err}"
