"""The benchmark scripts run end to end: the GPU step script at tiny sizes on CPU, real sizes on a GPU."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import gpu_grpo_step  # noqa: E402


@pytest.mark.slow
def test_gpu_step_script_runs_tiny_on_cpu(tmp_path) -> None:
    out = tmp_path / "r.json"
    result = gpu_grpo_step.main(["--tiny", "--steps", "2", "--warmup", "0", "--completions", "4", "--generations", "2",
                                 "--json", str(out)])
    assert out.is_file()
    assert len(result["runs"]["bare"][0]) == len(result["runs"]["runner"][0]) == 2
    assert result["bare_step_s"] > 0 and result["runner_step_s"] > 0 and result["ratio"] > 0
    assert 0 <= result["in_process_overhead_pct"] < 50


def test_synthetic_tokenizer_matches_smollm2_ids_and_template() -> None:
    tok = gpu_grpo_step.synthetic_tokenizer(["hello", "world"], gpu_grpo_step.SMOLLM2_135M["vocab_size"])
    assert len(tok) == 49152
    assert (tok.bos_token_id, tok.eos_token_id, tok.pad_token_id) == (1, 2, 2)
    text = tok.apply_chat_template([{"role": "user", "content": "hello world"}], add_generation_prompt=True,
                                   tokenize=False)
    assert text.endswith("<|im_start|>assistant\n") and "hello world<|im_end|>" in text


@pytest.mark.gpu
def test_gpu_step_on_a_gpu(tmp_path) -> None:
    result = gpu_grpo_step.main(["--steps", "2", "--warmup", "1", "--json", str(tmp_path / "r.json")])
    assert result["completions"] == 64 and result["completion_length"] == 256
    assert result["bare_step_s"] > 0 and result["runner_step_s"] > 0
