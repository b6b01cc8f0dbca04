import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from beneficial_rl.cli import app
from beneficial_rl.errors import BrlError
from beneficial_rl.models.generate import chat_batch
from beneficial_rl.models.loading import load_policy, load_tokenizer


def test_tiny_model_generates_batched(tiny_model_path):
    model, tok = load_policy(tiny_model_path, device="cpu")
    convs = [[{"role": "user", "content": "hi"}], [{"role": "user", "content": "a much longer message here"}]]
    batched = chat_batch(model, tok, convs, max_new_tokens=6, batch_size=2)
    single = [chat_batch(model, tok, [c], max_new_tokens=6)[0] for c in convs]
    assert batched == single  # left padding must not change greedy outputs


def test_model_without_chat_template_is_a_clear_error(tiny_model_path, tmp_path):
    folder = tmp_path / "no-template"
    folder.mkdir()
    for f in Path(tiny_model_path).iterdir():
        if f.name != "chat_template.jinja":
            (folder / f.name).write_bytes(f.read_bytes())
    cfg = json.loads((folder / "tokenizer_config.json").read_text())
    cfg.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg))
    with pytest.raises(BrlError, match="no chat template"):
        load_tokenizer(str(folder))


def test_endpoint_cannot_be_loaded_as_policy():
    with pytest.raises(BrlError, match="chat endpoint"):
        load_policy("openai/gpt-4.1-mini")


def test_cli_info_and_chat_on_local_model(tiny_model_path):
    runner = CliRunner()
    res = runner.invoke(app, ["model", "info", "--model", tiny_model_path])
    assert res.exit_code == 0, res.output
    assert "LlamaForCausalLM" in res.output and "float32" in res.output
    res = runner.invoke(app, ["model", "chat", "--model", tiny_model_path, "--max-new-tokens", "4", "hello"])
    assert res.exit_code == 0, res.output


def test_cli_unknown_spec_prints_error_not_traceback():
    res = CliRunner().invoke(app, ["model", "info", "--model", "foo:bar"])
    assert res.exit_code == 1
    assert "unknown model spec" in res.output and "Traceback" not in res.output
