import pytest

from beneficial_rl.errors import BrlError
from beneficial_rl.models.spec import DEFAULT_MODEL, parse_spec


def test_default_is_embedded():
    spec = parse_spec(None)
    assert spec.raw == DEFAULT_MODEL and spec.kind == "embedded" and spec.name == "smollm2-135m-instruct"


@pytest.mark.parametrize(
    "raw,kind,name",
    [
        ("HuggingFaceTB/SmolLM2-360M-Instruct", "hf", "HuggingFaceTB/SmolLM2-360M-Instruct"),
        ("hf:gpt2", "hf", "gpt2"),
        ("openai/gpt-4.1-mini", "endpoint", "openai/gpt-4.1-mini"),
        ("openai-api/local/qwen", "endpoint", "openai-api/local/qwen"),
        ("vllm/meta-llama/Llama-3.1-8B-Instruct", "endpoint", "vllm/meta-llama/Llama-3.1-8B-Instruct"),
    ],
)
def test_forms(raw, kind, name):
    spec = parse_spec(raw)
    assert (spec.kind, spec.name) == (kind, name)


def test_local_folder(tmp_path):
    assert parse_spec(str(tmp_path)).kind == "hf"


@pytest.mark.parametrize("raw", ["embedded:nope", "foo:bar", "just-a-word", "a/b/c/d"])
def test_unknown_spec_is_a_clear_error(raw):
    with pytest.raises(BrlError, match="unknown"):
        parse_spec(raw)
