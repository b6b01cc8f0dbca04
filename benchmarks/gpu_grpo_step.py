"""GRPO step time on one card: vanilla TRL vs this project's default vs each generation option.

All variants run in one process on the same card, the same shapes (completions x tokens, every
completion forced to the full length), the same prompts and seed:

    vanilla       bare TRL GRPOTrainer, TRL's defaults (one generate per optimizer step, dynamic cache)
    default       this project's runner with configs/train_paper.yaml's generation settings
    hf            runner, engine hf, TRL's generation defaults (the runner's cost over vanilla)
    hf_spg        runner, engine hf, steps_per_generation = --spg (one generate serves --spg steps)
    hf_spg_static hf_spg + static KV cache
    hf_spg_compile hf_spg_static + torch.compile of decoding (CUDA only)
    vllm          runner, engine vllm (colocate), where vLLM imports and a GPU is present
    judge         default, with the reward judge an LLM judge behind the fake OpenAI server
                  (--judge-latency-ms per call), compared with default's instant grader

It prints seconds per step, completion tokens/s, peak GPU memory and each ratio to vanilla, plus
the reward call's wall time for one batch graded serially vs concurrently through the fake server.
Shapes: SmolLM2-135M-Instruct's architecture (`--shape 135m`) and Llama-3.2-1B's (`--shape 1b`,
without its rope scaling, which does not change the cost), random weights, a synthetic word-level
tokenizer with the right vocabulary size: step time depends on shapes, not on which words the ids
stand for. Nothing is downloaded. Issue 16's reference (not measured here): vanilla TRL 11.6-11.8 s
per step on an H200 for the 135M shape at 64 x 256.

    python benchmarks/gpu_grpo_step.py                          # GPU: both shapes, all variants
    python benchmarks/gpu_grpo_step.py --shape 135m --variants vanilla,default,judge
    python benchmarks/gpu_grpo_step.py --tiny                   # CPU smoke test (tiny sizes; CI runs it)
    python benchmarks/gpu_grpo_step.py --json out.json

Steps are timed between `on_step_end` callbacks after --warmup steps; with steps_per_generation = k
only every k-th step generates, so --steps and --warmup must be multiples of --spg (the means then
cover whole generation rounds).
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
# Llama-3.2-1B's config.json dimensions (1.24B parameters with tied embeddings); default rope.
LLAMA_1B: dict[str, Any] = {
    **SMOLLM2_135M,
    "vocab_size": 128256,
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "num_hidden_layers": 16,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 64,
    "rms_norm_eps": 1e-05,
    "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"},
}
SHAPES = {"135m": SMOLLM2_135M, "1b": LLAMA_1B}
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


def build_model(folder: Path, shape: dict[str, Any], tiny: bool, scenarios: Sequence[Any]) -> str:
    """The shape's architecture (or a 2-layer version with --tiny), random weights, saved with a
    synthetic tokenizer whose words come from the benchmark's own prompts."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from beneficial_rl.training.tasks import GENERATORS

    text = " ".join(m["content"] for s in scenarios for m in s.chat())
    for gen in GENERATORS.values():
        stream = gen("vocab")
        text += " " + " ".join(next(stream).messages[0]["content"] for _ in range(200))
    words = list(dict.fromkeys(re.findall(r"\w+|[^\w\s]", text)))
    tok = synthetic_tokenizer(words, shape["vocab_size"])
    torch.manual_seed(0)
    LlamaForCausalLM(LlamaConfig(**{**shape, **(TINY if tiny else {})})).save_pretrained(folder)
    tok.save_pretrained(folder)
    return str(folder)


VARIANTS = ["vanilla", "default", "hf", "hf_spg", "hf_spg_static", "hf_spg_compile", "vllm", "judge"]


def paper_generation() -> dict[str, Any]:
    """configs/train_paper.yaml's generation section: what 'default' means."""
    from beneficial_rl.training.config import load_train_config

    root = Path(__file__).resolve().parents[1]
    return load_train_config(root / "configs" / "train_paper.yaml").generation.model_dump()


def variant_generation(name: str, spg: int, length: int) -> dict[str, Any] | str:
    """Generation settings of a variant, or the reason it cannot run here."""
    import importlib.util

    import torch

    forced = {"generation_kwargs": {"min_new_tokens": length}}
    cuda = torch.cuda.is_available()
    if name in ("default", "judge"):
        gen = paper_generation()
        if gen["steps_per_generation"]:
            gen["steps_per_generation"] = spg  # the paper's 8, or --spg (tiny runs use fewer steps)
        return {**gen, **forced}
    if name in ("vanilla", "hf"):
        return {"engine": "hf", **forced}
    if name == "hf_spg":
        return {"engine": "hf", "steps_per_generation": spg, **forced}
    if name == "hf_spg_static":
        return {"engine": "hf", "steps_per_generation": spg, "cache_implementation": "static", **forced}
    if name == "hf_spg_compile":
        if not cuda:
            return "torch.compile of decoding runs only on a CUDA GPU (transformers skips it elsewhere)"
        return {"engine": "hf", "steps_per_generation": spg, "cache_implementation": "static",
                "compile_decode": True, **forced}
    if name == "vllm":
        if not cuda or importlib.util.find_spec("vllm") is None:
            return "vLLM is not installed or there is no CUDA GPU"
        return {"engine": "vllm", "vllm_mode": "colocate", "steps_per_generation": spg, **forced}
    raise ValueError(name)


def peak_memory_reset() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def peak_memory_gib() -> float | None:
    import torch

    return round(torch.cuda.max_memory_allocated() / 2**30, 2) if torch.cuda.is_available() else None


class FakeJudge:
    """The project's fake OpenAI server in its own process, and reward judges that call it."""

    def __init__(self, latency_ms: float):
        import bench_grading

        self.latency_ms = latency_ms
        self.proc, env = bench_grading.start_server(latency_ms, 3600)
        os.environ.update(env)
        self.n = 0

    def grader(self, connections: int) -> Any:
        from beneficial_rl.grading import JudgeConfig, make_grader

        self.n += 1  # Inspect pools connections per model name: a new name per grader keeps limits apart
        return make_grader(JudgeConfig(model=f"openai-api/fake/reward-{self.n}", role="reward", dense="none",
                                       cache=False, max_connections=connections), use="reward")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def reward_call_seconds(judge: FakeJudge, connections: int, completions: int, scenarios: Sequence[Any]) -> dict[str, Any]:
    """Wall time of one reward call for `completions` completions, every one rubric-graded by the
    judge (trait rows, per-item mode: one judge call per rubric item)."""
    import time

    from beneficial_rl.training.ledger import RunStats
    from beneficial_rl.training.rewards import RewardRouter

    grader = judge.grader(connections)
    router = RewardRouter(grader, RunStats())
    rows = []
    for i in range(completions):
        sc = scenarios[i % len(scenarios)]
        rows.append({"prompt": sc.chat(), "source": "trait", "task": "trait", "reward_kind": "rubric",
                     "target": json.dumps([r.model_dump(mode="json") for r in sc.rubric]), "row": i,
                     "item_id": sc.id, "trait": sc.trait, "prompt_tokens": 10})
    completion = [{"role": "assistant", "content": "The main risk is plain; a reversible first step is to wait."}]
    cols = {k: [r[k] for r in rows] for k in rows[0] if k != "prompt"}
    t = time.perf_counter()
    rewards = router([r["prompt"] for r in rows], [completion] * completions, [[1] * 12] * completions, **cols)
    took = time.perf_counter() - t
    calls = sum(len(sc.rubric) for sc in (scenarios[i % len(scenarios)] for i in range(completions)))
    return {"connections": connections, "seconds": round(took, 3), "judge_calls": calls,
            "scored": sum(r is not None for r in rewards)}


def run_variant(name: str, a: argparse.Namespace, model: str, work: Path, scenarios: list[Any],
                judge: FakeJudge | None) -> dict[str, Any]:
    from beneficial_rl.training.config import TrainConfig

    gen = variant_generation(name, a.spg, a.length)
    if isinstance(gen, str):
        return {"variant": name, "skipped": gen}
    base = bench_training.bench_config(model, a.steps, a.completions, a.generations_per_prompt, a.length)
    cfg = TrainConfig.model_validate({**base.model_dump(), "generation": gen})
    peak_memory_reset()
    out = work / name
    extra: dict[str, Any] = {}
    if name == "vanilla":
        times = bench_training.run_bare(cfg, out, a.warmup, scenarios)
    else:
        grader = judge.grader(a.judge_connections) if name == "judge" and judge else bench_training.InstantGrader()
        times, share, reward_s = bench_training.run_runner(cfg, out, a.warmup, scenarios, grader=grader)
        extra = {"in_process_overhead_pct": round(100 * share, 2), "reward_call_s_per_step": round(reward_s, 4)}
    step = sum(times) / len(times)
    return {"variant": name, "step_s": round(step, 4), "completion_tokens_per_s": round(a.completions * a.length / step, 1),
            "peak_gib": peak_memory_gib(), "steps_timed": len(times), "step_times": [round(t, 4) for t in times],
            "generation": {k: v for k, v in gen.items() if k != "generation_kwargs"}, **extra}


def run_shape(shape_name: str, a: argparse.Namespace, variants: list[str], scenarios: list[Any],
              judge: FakeJudge | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="brl-gpu-step-") as tmp:
        work = Path(tmp)
        model = build_model(work / "model", SHAPES[shape_name], a.tiny, scenarios)
        rows = []
        for name in variants:
            r = run_variant(name, a, model, work, scenarios, judge)
            rows.append(r)
            print(f"  {shape_name} {name:15s} " + (f"skipped: {r['skipped']}" if "skipped" in r else
                  f"{r['step_s']:.3f} s/step, {r['completion_tokens_per_s']:,.0f} completion tok/s, "
                  f"peak {r['peak_gib']} GiB"), flush=True)
    by = {r["variant"]: r for r in rows if "step_s" in r}
    if "vanilla" in by:
        for r in by.values():
            r["speedup_vs_vanilla"] = round(by["vanilla"]["step_s"] / r["step_s"], 3)
    if "judge" in by and "default" in by:
        by["judge"]["vs_default"] = round(by["judge"]["step_s"] / by["default"]["step_s"], 3)
    return {"shape": shape_name, "variants": rows}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="2 layers, 4 completions x 8 tokens, spg 2: a CPU smoke test.")
    ap.add_argument("--shape", default=None, help="135m, 1b or both (comma-separated; default both, tiny: 135m).")
    ap.add_argument("--variants", default=None, help=f"Comma-separated subset of {','.join(VARIANTS)} (default all).")
    ap.add_argument("--spg", type=int, default=None, help="steps_per_generation of the spg variants (default 8; tiny 2).")
    ap.add_argument("--steps", type=int, default=None, help="Steps per variant (default 3 x spg; tiny 2 x spg).")
    ap.add_argument("--warmup", type=int, default=None, help="Steps not timed (default spg).")
    ap.add_argument("--completions", type=int, default=None, help="Completions per step (default 64; tiny 4).")
    ap.add_argument("--generations-per-prompt", type=int, default=8, help="Completions per prompt (tiny: 2).")
    ap.add_argument("--length", type=int, default=None, help="Tokens per completion (default 256; tiny 8).")
    ap.add_argument("--judge-latency-ms", type=float, default=100.0, help="Fake judge latency per call.")
    ap.add_argument("--judge-connections", type=int, default=256, help="Reward judge max_connections (judge variant).")
    ap.add_argument("--reward-completions", type=int, default=None,
                    help="Completions in the serial-vs-concurrent reward-call measurement (default --completions).")
    ap.add_argument("--reward-call-only", action="store_true", help="Only the reward-call measurement (no model).")
    ap.add_argument("--json", help="Also write the result here.")
    a = ap.parse_args(argv)

    import torch

    a.spg = a.spg or (2 if a.tiny else 8)
    a.steps = a.steps or (2 if a.tiny else 3) * a.spg
    a.warmup = a.spg if a.warmup is None else a.warmup
    a.completions = a.completions or (4 if a.tiny else 64)
    a.length = a.length or (8 if a.tiny else 256)
    a.generations_per_prompt = min(2 if a.tiny else a.generations_per_prompt, a.completions)
    if a.steps % a.spg or a.warmup % a.spg or a.warmup >= a.steps:
        ap.error("--steps and --warmup must be multiples of --spg, with warmup < steps")
    shapes = (a.shape or ("135m" if a.tiny else "135m,1b")).split(",")
    variants = (a.variants or ",".join(VARIANTS)).split(",")
    unknown = sorted(set(variants) - set(VARIANTS)) + sorted(set(shapes) - set(SHAPES))
    if unknown:
        ap.error(f"unknown variant(s) or shape(s): {unknown}")
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    scenarios = bench_training.bench_scenarios()
    print(f"{'tiny ' if a.tiny else ''}GRPO step on {device}: {a.completions} completions x {a.length} tokens, "
          f"{a.steps} steps per variant ({a.warmup} untimed), spg {a.spg}", flush=True)
    a.reward_completions = a.reward_completions or a.completions
    if a.reward_call_only:
        variants = ["judge"]
    judge = FakeJudge(a.judge_latency_ms) if "judge" in variants else None
    result: dict[str, Any] = {"device": device, "tiny": a.tiny, "completions": a.completions, "completion_length": a.length,
                              "steps": a.steps, "warmup": a.warmup, "spg": a.spg, "torch": torch.__version__,
                              "issue16_reference_h200_vanilla_s": [11.6, 11.8]}
    try:
        if judge:
            serial = reward_call_seconds(judge, 1, a.reward_completions, scenarios)
            concurrent = reward_call_seconds(judge, a.judge_connections, a.reward_completions, scenarios)
            result["reward_call"] = {"latency_ms": a.judge_latency_ms, "serial": serial, "concurrent": concurrent,
                                     "speedup": round(serial["seconds"] / concurrent["seconds"], 2)}
            print(f"reward call, {a.reward_completions} judged completions ({serial['judge_calls']} judge calls at "
                  f"{a.judge_latency_ms:g} ms): serial {serial['seconds']:.2f} s, {a.judge_connections} connections "
                  f"{concurrent['seconds']:.2f} s ({result['reward_call']['speedup']}x)", flush=True)
        result["shapes"] = [] if a.reward_call_only else [run_shape(s, a, variants, scenarios, judge) for s in shapes]
    finally:
        if judge:
            judge.close()
    for sh in result["shapes"]:
        for r in sh["variants"]:
            if "speedup_vs_vanilla" in r:
                print(f"{sh['shape']} {r['variant']:15s} {r['speedup_vs_vanilla']:.2f}x vanilla"
                      + (f"; judge step / default step {r['vs_default']:.3f}" if "vs_default" in r else ""))
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
