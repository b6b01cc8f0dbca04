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
    result = gpu_grpo_step.main(["--tiny", "--variants", "vanilla,default,hf_spg_compile,vllm,judge", "--spg", "1",
                                 "--steps", "2", "--warmup", "1", "--reward-completions", "2",
                                 "--judge-latency-ms", "50", "--json", str(out)])
    assert out.is_file()
    rows = {r["variant"]: r for r in result["shapes"][0]["variants"]}
    assert set(rows) == {"vanilla", "default", "hf_spg_compile", "vllm", "judge"}
    assert "skipped" in rows["hf_spg_compile"]  # CUDA only; skipped cleanly on CPU
    for name in ("vanilla", "default", "judge"):
        r = rows[name]
        assert r["steps_timed"] == 1 and r["step_s"] > 0 and r["completion_tokens_per_s"] > 0
        assert r["speedup_vs_vanilla"] > 0
    assert rows["default"]["generation"]["cache_implementation"] == "static"  # train_paper.yaml's settings
    assert rows["judge"]["vs_default"] > 0 and 0 <= rows["judge"]["in_process_overhead_pct"] < 100
    call = result["reward_call"]
    assert call["serial"]["scored"] == call["concurrent"]["scored"] == 2
    # 2 responses x their rubric items, one 50 ms call each: serial cannot beat the sum of latencies.
    assert call["serial"]["seconds"] >= 0.05 * call["serial"]["judge_calls"]


def test_synthetic_tokenizer_matches_smollm2_ids_and_template() -> None:
    tok = gpu_grpo_step.synthetic_tokenizer(["hello", "world"], gpu_grpo_step.SMOLLM2_135M["vocab_size"])
    assert len(tok) == 49152
    assert (tok.bos_token_id, tok.eos_token_id, tok.pad_token_id) == (1, 2, 2)
    text = tok.apply_chat_template([{"role": "user", "content": "hello world"}], add_generation_prompt=True,
                                   tokenize=False)
    assert text.endswith("<|im_start|>assistant\n") and "hello world<|im_end|>" in text


def test_variant_settings_and_shapes() -> None:
    spg = gpu_grpo_step.variant_generation("hf_spg", 8, 256)
    assert spg["steps_per_generation"] == 8 and spg["generation_kwargs"] == {"min_new_tokens": 256}
    assert gpu_grpo_step.variant_generation("vanilla", 8, 256)["engine"] == "hf"
    assert "steps_per_generation" not in gpu_grpo_step.variant_generation("vanilla", 8, 256)
    one_b = gpu_grpo_step.LLAMA_1B
    params = (one_b["vocab_size"] * one_b["hidden_size"] + one_b["num_hidden_layers"] * (
        2 * one_b["hidden_size"] ** 2 + 2 * one_b["hidden_size"] * one_b["num_key_value_heads"] * one_b["head_dim"]
        + 3 * one_b["hidden_size"] * one_b["intermediate_size"]))
    assert 1.1e9 < params < 1.3e9  # a ~1B Llama-style shape


@pytest.mark.gpu
def test_gpu_step_on_a_gpu(tmp_path) -> None:
    result = gpu_grpo_step.main(["--shape", "135m", "--variants", "vanilla,default", "--json", str(tmp_path / "r.json")])
    rows = {r["variant"]: r for r in result["shapes"][0]["variants"]}
    assert result["completions"] == 64 and result["completion_length"] == 256
    assert rows["vanilla"]["step_s"] > 0 and rows["default"]["step_s"] > 0
