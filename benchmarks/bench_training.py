"""Overhead of the training runner over a bare TRL GRPOTrainer, measured in one process.

Both trainers get the same model, the same prompts (the beneficial arm's mixture rows), the same
GRPOConfig and seed, and completions forced to the full `max_completion_length` (min_new_tokens),
so each step does the same model compute. The bare trainer's reward is trivial (reply length);
the runner brings all of its machinery: the reward router (verifiers and an instant grader for
rubric rows, cross-process gathers), the compute ledger, train_log.jsonl and sampled completions.

Step time = time between consecutive `on_step_end` callbacks, so everything that happens once per
step (generation, reward, backward, optimizer, logging, our callbacks) is inside it. The first
`--warmup` steps of each run are dropped; runs alternate bare/runner to spread machine noise.

On a shared or small machine, step times vary by more than the overhead being measured, so the
runner's own time is also accounted directly: the seconds spent inside the reward router and the
ledger callback, as a share of the runner's step time ("in-process overhead"). That number does
not depend on how noisy the A/B comparison is.

    .venv/bin/python benchmarks/bench_training.py                      # embedded SmolLM2-135M on CPU
    .venv/bin/python benchmarks/bench_training.py --model tiny --steps 8
    .venv/bin/python benchmarks/bench_training.py --json out.json

Prints per-run step times, the medians and the ratio runner/bare (target: <= 1.05).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from transformers import TrainerCallback  # noqa: E402

from beneficial_rl.grading.base import GradeRequest, GradeResult  # noqa: E402
from beneficial_rl.training.config import TrainConfig  # noqa: E402


class StepTimer(TrainerCallback):
    def __init__(self) -> None:
        self.marks: list[float] = []

    def on_train_begin(self, *args: Any, **kwargs: Any) -> None:
        self.marks = [time.perf_counter()]

    def on_step_end(self, *args: Any, **kwargs: Any) -> None:
        self.marks.append(time.perf_counter())

    def step_times(self, warmup: int) -> list[float]:
        return [b - a for a, b in zip(self.marks, self.marks[1:], strict=False)][warmup:]


class InstantGrader:
    """A grader that costs nothing, so the comparison measures the runner, not a judge."""

    name = "instant"
    approximate = True

    async def grade(self, requests: Sequence[GradeRequest]) -> list[GradeResult]:
        return [GradeResult(id=r.id, score=min(1.0, len(r.response) / 500)) for r in requests]


def trivial_reward(completions: list[Any], **_: Any) -> list[float]:
    return [min(1.0, len(c[0]["content"] if isinstance(c, list) else c) / 500) for c in completions]


def run_bare(cfg: TrainConfig, out: Path, warmup: int, scenarios: list[Any]) -> list[float]:
    """Plain GRPOTrainer on the same rows, GRPOConfig and model; no router, ledger or logs."""
    from datasets import Dataset
    from trl import GRPOTrainer

    from beneficial_rl.models.loading import local_path, tokenizer_from_path
    from beneficial_rl.training.mixture import build_mixture, chat_token_counter
    from beneficial_rl.training.runner import grpo_args, prompts_needed

    model_path = local_path(cfg.model)
    tok = tokenizer_from_path(model_path)
    args = grpo_args(cfg, out / "checkpoints")
    arm = cfg.arm("beneficial")
    rows = build_mixture(cfg, arm, scenarios, prompts_needed(args, cfg.steps),
                         chat_token_counter(tok)).rows
    timer = StepTimer()
    trainer = GRPOTrainer(model=model_path, reward_funcs=trivial_reward, args=args,
                          train_dataset=Dataset.from_list([{"prompt": r["prompt"]} for r in rows]),
                          processing_class=tok, callbacks=[timer])
    trainer.train()
    return timer.step_times(warmup)


class Stopwatch:
    """Accumulates the time spent in wrapped callables."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        return timed


def run_runner(cfg: TrainConfig, out: Path, warmup: int, scenarios: list[Any],
               grader: Any = None) -> tuple[list[float], float, float]:
    """The runner's trainer (reward grader: `grader`, default InstantGrader); returns step times, the
    share of all step time spent in the router and the ledger callback (warmup steps included on
    both sides), and the mean seconds per step spent inside the reward call."""
    from beneficial_rl.training.callbacks import LedgerCallback
    from beneficial_rl.training.runner import prepare

    timer, own, reward = StepTimer(), Stopwatch(), Stopwatch()
    p = prepare(cfg, "beneficial", out, grader or InstantGrader(), scenarios=scenarios, callbacks=[timer])
    p.trainer.reward_funcs[0] = own.wrap(reward.wrap(p.trainer.reward_funcs[0]))
    for cb in p.trainer.callback_handler.callbacks:
        if isinstance(cb, LedgerCallback):
            for event in ("on_log", "on_save", "on_step_end", "on_train_end"):
                setattr(cb, event, own.wrap(getattr(cb, event)))
    p.trainer.train()
    total = timer.marks[-1] - timer.marks[0]
    return timer.step_times(warmup), own.seconds / total, reward.seconds / (len(timer.marks) - 1)


def compare(cfg: TrainConfig, reps: int, warmup: int, workdir: Path, scenarios: list[Any]) -> dict[str, Any]:
    runs: dict[str, list[list[float]]] = {"bare": [], "runner": []}
    own_share = []
    for rep in range(reps):
        order = ["bare", "runner"] if rep % 2 == 0 else ["runner", "bare"]
        for kind in order:
            out = workdir / f"{kind}-{rep}"
            if kind == "bare":
                times = run_bare(cfg, out, warmup, scenarios)
            else:
                times, share, _ = run_runner(cfg, out, warmup, scenarios)
                own_share.append(share)
            runs[kind].append(times)
            print(f"  rep {rep} {kind:6s}: " + " ".join(f"{t:.3f}" for t in times), flush=True)
    # Same data and seed in every run, so step k costs the same model compute in each: compare sums.
    bare = statistics.mean(sum(r) for r in runs["bare"])
    runner = statistics.mean(sum(r) for r in runs["runner"])
    n = len(runs["bare"][0])
    per_rep = [sum(r) / sum(b) for r, b in zip(runs["runner"], runs["bare"], strict=True)]
    return {"bare_step_s": bare / n, "runner_step_s": runner / n, "ratio": runner / bare, "ratio_per_rep": per_rep,
            "overhead_pct": 100 * (runner / bare - 1), "in_process_overhead_pct": 100 * max(own_share),
            "runs": runs}


def bench_config(model: str, steps: int, completions: int, generations: int, completion_len: int,
                 **extra: Any) -> TrainConfig:
    return TrainConfig.model_validate({
        "model": model, "steps": steps, "num_generations": generations,
        "per_device_train_batch_size": completions, "max_completion_length": completion_len,
        "max_prompt_length": 512, "learning_rate": 1e-6, "trait_fraction": 0.25,
        "save_every": steps + 1, "sample_every": 2, "seed": 0,
        "generation": {"generation_kwargs": {"min_new_tokens": completion_len}},
        "standard_data": [{"kind": "arithmetic"}, {"kind": "instructions"}, {"kind": "helpfulness"}],
        **extra,
    })


def bench_scenarios() -> list[Any]:
    """The shipped library's train split, read once (every run must see the same data), or a small
    valid set when the library is empty, so the benchmark runs in a fresh checkout too."""
    from beneficial_rl.scenarios.io import library_files, load_library
    from beneficial_rl.scenarios.schema import Scenario

    if library_files("train"):
        return load_library("train")

    rows = []
    for i, (trait, domain) in enumerate([("truthfulness", "health"), ("corrigibility", "science"),
                                         ("dense_usefulness", "business"), ("situational_attunement", "law")]):
        rows.append(Scenario.model_validate({
            "id": f"bench-{i}", "trait": trait, "domain": domain,
            "messages": [{"role": "user", "content": f"A hard {domain} case where {trait} matters. What now?"}],
            "rubric": [{"criterion": "Names the main risk plainly", "points": 3, "check": {"any": ["risk"]}},
                       {"criterion": "Suggests a reversible first step", "points": 2, "check": {"any": ["first"]}},
                       {"criterion": "Claims certainty it cannot have", "points": -2}],
            "provenance": {"kind": "hand_written", "author": "benchmark"}, "split": "train",
        }))
    return rows


def tiny_model(folder: Path) -> str:
    """A 2-layer Llama with the embedded tokenizer (as in tests/conftest.py)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from beneficial_rl.models.loading import load_tokenizer

    tok = load_tokenizer(None)
    torch.manual_seed(0)
    LlamaForCausalLM(LlamaConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=1024, tie_word_embeddings=True, bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )).save_pretrained(folder)
    tok.save_pretrained(folder)
    return str(folder)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="embedded", help="'embedded', 'tiny' or a model spec/folder.")
    ap.add_argument("--steps", type=int, default=5, help="Steps per run (the first --warmup are dropped).")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--reps", type=int, default=2, help="Runs of each kind, alternating order.")
    ap.add_argument("--completions", type=int, default=16, help="Completions per step.")
    ap.add_argument("--generations", type=int, default=4, help="Completions per prompt.")
    ap.add_argument("--completion-length", type=int, default=32, help="Tokens per completion (forced).")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    ap.add_argument("--json", help="Also write the result here.")
    a = ap.parse_args(argv)

    import torch

    torch.set_num_threads(a.threads)
    with tempfile.TemporaryDirectory(prefix="brl-bench-") as tmp:
        work = Path(tmp)
        model = {"embedded": "embedded:smollm2-135m-instruct", "tiny": None}.get(a.model, a.model)
        if model is None:
            model = tiny_model(work / "tiny")
        cfg = bench_config(model, a.steps, a.completions, a.generations, a.completion_length)
        device = "cuda" if torch.cuda.is_available() else f"cpu ({a.threads} threads)"
        print(f"model {cfg.model} on {device}: {a.completions} completions x {a.completion_length} tokens, "
              f"{a.steps} steps ({a.warmup} warmup) x {a.reps} reps", flush=True)
        result = compare(cfg, a.reps, a.warmup, work, bench_scenarios())
    result.update(model=a.model, device=device, completions=a.completions, completion_length=a.completion_length,
                  steps=a.steps, warmup=a.warmup, reps=a.reps)
    print(f"mean step: bare {result['bare_step_s']:.3f} s, runner {result['runner_step_s']:.3f} s, "
          f"ratio {result['ratio']:.3f} (per rep: {', '.join(f'{x:.3f}' for x in result['ratio_per_rep'])}; "
          f"overhead {result['overhead_pct']:+.1f}%; target <= +5%); "
          f"time inside router + ledger callback: {result['in_process_overhead_pct']:.2f}% of runner step time")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
