"""GRPO step time for SmolLM2-135M's architecture with random weights: 64 completions x 256 tokens.

Runs a bare TRL GRPOTrainer and this project's runner on the same card in one process (same model,
data, GRPOConfig and seed; every completion forced to the full length), and prints both step
times and their ratio. The vanilla TRL reference on an H200 was 11.6 s per step.

The architecture is SmolLM2-135M-Instruct's config.json, copied below so nothing has to be
downloaded or carried (random weights; no checkpoint needed). The tokenizer is a synthetic
word-level one with the same vocabulary size, special-token ids and chat template: step time
depends on shapes, not on which words the ids stand for.

    python benchmarks/gpu_grpo_step.py                  # on a GPU: bf16, 64 x 256, 4 steps (1 warmup)
    python benchmarks/gpu_grpo_step.py --tiny           # CPU smoke test of this script (tiny sizes)
    python benchmarks/gpu_grpo_step.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_training  # noqa: E402

# SmolLM2-135M-Instruct config.json (~/.cache/beneficial-rl/models/smollm2-135m-instruct/config.json).
SMOLLM2_135M: dict[str, Any] = {
    "vocab_size": 49152,
    "hidden_size": 576,
    "intermediate_size": 1536,
    "num_hidden_layers": 30,
    "num_attention_heads": 9,
    "num_key_value_heads": 3,
    "head_dim": 64,
    "hidden_act": "silu",
    "max_position_embeddings": 8192,
    "rms_norm_eps": 9.999999747378752e-06,
    "rope_parameters": {"rope_theta": 100000.0, "rope_type": "default"},
    "attention_bias": False,
    "attention_dropout": 0.0,
    "mlp_bias": False,
    "initializer_range": 0.02,
    "tie_word_embeddings": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 2,
    "unk_token_id": 0,
    "use_cache": True,
}
TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 16}

# SmolLM2-135M-Instruct's chat template (chat_template.jinja), verbatim.
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]  # ids 0, 1, 2 as in SmolLM2


def synthetic_tokenizer(words: Sequence[str], vocab_size: int) -> Any:
    """Word-level tokenizer: the special tokens at SmolLM2's ids, the given words, then filler."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(SPECIAL)}
    for w in words:
        if len(vocab) >= vocab_size:
            break
        vocab.setdefault(w, len(vocab))
    while len(vocab) < vocab_size:
        vocab[f"w{len(vocab)}"] = len(vocab)
    tk = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<|endoftext|>"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tk.decoder = decoders.WordPiece(prefix="##")  # joins tokens with spaces
    return PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                   pad_token="<|im_end|>", unk_token="<|endoftext|>", chat_template=CHAT_TEMPLATE)


def build_model(folder: Path, tiny: bool, scenarios: Sequence[Any]) -> str:
    """SmolLM2-135M's architecture (or a 2-layer version with --tiny), random weights, saved with
    a synthetic tokenizer whose words come from the benchmark's own prompts."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from beneficial_rl.training.tasks import GENERATORS

    text = " ".join(m["content"] for s in scenarios for m in s.chat())
    for gen in GENERATORS.values():
        stream = gen("vocab")
        text += " " + " ".join(next(stream).messages[0]["content"] for _ in range(200))
    words = list(dict.fromkeys(re.findall(r"\w+|[^\w\s]", text)))
    tok = synthetic_tokenizer(words, SMOLLM2_135M["vocab_size"])
    torch.manual_seed(0)
    LlamaForCausalLM(LlamaConfig(**{**SMOLLM2_135M, **(TINY if tiny else {})})).save_pretrained(folder)
    tok.save_pretrained(folder)
    return str(folder)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="2 layers, 8 completions x 8 tokens: a CPU smoke test.")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--reps", type=int, default=1, help="Runs of each kind (bare, runner), alternating.")
    ap.add_argument("--completions", type=int, default=None, help="Completions per step (default 64; tiny 8).")
    ap.add_argument("--generations", type=int, default=8, help="Completions per prompt.")
    ap.add_argument("--completion-length", type=int, default=None, help="Tokens per completion (default 256; tiny 8).")
    ap.add_argument("--json", help="Also write the result here.")
    a = ap.parse_args(argv)

    import torch

    completions = a.completions or (8 if a.tiny else 64)
    length = a.completion_length or (8 if a.tiny else 256)
    generations = min(a.generations, completions)
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    scenarios = bench_training.bench_scenarios()
    with tempfile.TemporaryDirectory(prefix="brl-gpu-step-") as tmp:
        work = Path(tmp)
        model = build_model(work / "model", a.tiny, scenarios)
        cfg = bench_training.bench_config(model, a.steps, completions, generations, length)
        print(f"{'tiny ' if a.tiny else ''}SmolLM2-135M architecture, random weights, on {device}: "
              f"{completions} completions x {length} tokens, {a.steps} steps ({a.warmup} warmup)", flush=True)
        result = bench_training.compare(cfg, a.reps, a.warmup, work, scenarios)
    result.update(device=device, tiny=a.tiny, completions=completions, completion_length=length,
                  num_generations=generations, steps=a.steps, warmup=a.warmup, torch=torch.__version__,
                  reference_h200_vanilla_trl_s=11.6)
    print(f"step time on {device}: bare TRL {result['bare_step_s']:.2f} s, runner {result['runner_step_s']:.2f} s "
          f"(ratio {result['ratio']:.3f}); vanilla TRL reference on an H200: 11.6 s")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
