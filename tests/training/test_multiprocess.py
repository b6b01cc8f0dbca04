"""Two-process training actually run: `python -m beneficial_rl.training` under torch's launcher with
2 CPU processes (gloo), the tiny fixture model, 2 steps. The ledger must count every process's
completions exactly once, the samples files must hold both processes' rows, the trait rows must sit
where a single-process run with the same global batch puts them, and a crashed run must resume.

accelerate's own `launch --cpu --num_processes 2` starts a single process (multi-CPU needs mpirun),
so the test uses `python -m torch.distributed.run` with ACCELERATE_USE_CPU, which is what accelerate
would run underneath; the README's multi-GPU section names both.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from training_helpers import make_scenarios

from beneficial_rl.training.config import load_train_config
from beneficial_rl.utils.io import read_jsonl

pytestmark = pytest.mark.slow

STEPS, PER_DEVICE, GENERATIONS, WORLD = 2, 4, 2, 2
PROMPTS_PER_STEP = PER_DEVICE * WORLD // GENERATIONS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(config: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ACCELERATE_USE_CPU": "true", "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", str(WORLD),
           "--master_addr", "127.0.0.1", "--master_port", str(_free_port()),
           "-m", "beneficial_rl.training", "--config", str(config), "--arm", "beneficial", "--out", str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc


@pytest.fixture(scope="module")
def two_process_run(tiny_model_path, tmp_path_factory):
    work = tmp_path_factory.mktemp("mp")
    traits = work / "traits.jsonl"
    traits.write_text("".join(s.model_dump_json() + "\n" for s in make_scenarios()))
    cfg = {"model": tiny_model_path, "reward_judge": "offline", "trait_data": [str(traits)], "trait_fraction": 0.25,
           "steps": STEPS, "num_generations": GENERATIONS, "per_device_train_batch_size": PER_DEVICE,
           "max_completion_length": 8, "max_prompt_length": 200, "learning_rate": 1e-3, "save_every": 1,
           "sample_every": 1, "seed": 0, "generation": {"engine": "hf"},
           "standard_data": [{"kind": "arithmetic"}, {"kind": "helpfulness"}]}
    config = work / "train.yaml"
    config.write_text(yaml.safe_dump(cfg))
    out = work / "arm"
    _launch(config, out)
    return config, out


def test_two_processes_counted_once_with_both_processes_rows(two_process_run) -> None:
    config, out = two_process_run
    resolved = yaml.safe_load((out / "config.yaml").read_text())
    assert resolved["world_size"] == WORLD  # really two processes, not two copies of one
    led = json.loads((out / "ledger.json").read_text())
    completions = STEPS * PER_DEVICE * WORLD
    assert led["steps"] == STEPS and led["completions"] == completions
    assert led["prompts"] == STEPS * PROMPTS_PER_STEP
    log = read_jsonl(out / "train_log.jsonl")
    assert [r["step"] for r in log] == [1, 2]
    assert sum(r["completions"] for r in log) == completions
    # TRL counts tokens across processes itself: the ledger's realized tokens must agree with it.
    assert led["tokens"]["realized"] == log[-1]["num_tokens"]
    judged = 0
    for step in range(1, STEPS + 1):
        rows = read_jsonl(out / "samples" / f"step_{step:05d}.jsonl")
        assert len(rows) == PER_DEVICE * WORLD  # both processes' completions, each once
        by_row: dict[int, int] = {}
        for r in rows:
            by_row[r["row"]] = by_row.get(r["row"], 0) + 1
        assert sorted(by_row) == list(range(PROMPTS_PER_STEP * (step - 1), PROMPTS_PER_STEP * step))
        assert set(by_row.values()) == {GENERATIONS}
        judged += sum(r["source"] in ("trait", "control") or r["task"] == "helpfulness" for r in rows)
        assert sum(r["completion_tokens"] for r in rows) == next(x for x in log if x["step"] == step)["completion_tokens"]
    assert led["judge"]["calls"] == judged  # both processes' judge calls, each once


def test_trait_positions_match_a_single_process_run(two_process_run, tiny_model_path) -> None:
    """A one-process run with the same global batch consumes the same mixture rows in the same order."""
    from beneficial_rl.models.loading import tokenizer_from_path
    from beneficial_rl.training.mixture import build_mixture, chat_token_counter
    from beneficial_rl.training.runner import grpo_args, load_trait_scenarios, prompts_needed

    config, out = two_process_run
    single = load_train_config(config, {"per_device_train_batch_size": PER_DEVICE * WORLD})
    args = grpo_args(single, out / "unused")
    assert args.world_size == 1 and args.generation_batch_size == PER_DEVICE * WORLD
    mix = build_mixture(single, single.arm("beneficial"), load_trait_scenarios(single),
                        prompts_needed(args, single.steps), chat_token_counter(tokenizer_from_path(tiny_model_path)))
    planned = {r["row"]: r["source"] for r in mix.rows}
    seen = {r["row"]: r["source"] for step in range(1, STEPS + 1)
            for r in read_jsonl(out / "samples" / f"step_{step:05d}.jsonl")}
    assert seen == {row: planned[row] for row in range(STEPS * PROMPTS_PER_STEP)}
    assert "trait" in seen.values()
    assert json.loads((out / "mixture.json").read_text()) == mix.summary


def test_two_process_run_resumes_after_a_crash(two_process_run, tmp_path) -> None:
    """Remove what a crash after step 1's checkpoint would not have written; the rerun must resume
    from checkpoint-1 on both processes and end with the uninterrupted run's ledger and samples."""
    config, done_run = two_process_run
    out = tmp_path / "arm"
    shutil.copytree(done_run, out)
    (out / "done.json").unlink()
    (out / "ledger.json").unlink()
    shutil.rmtree(out / "final")
    shutil.rmtree(out / "checkpoints" / "checkpoint-2")
    (out / "samples" / "step_00002.jsonl").unlink()
    _launch(config, out)
    done = json.loads((out / "done.json").read_text())
    assert done["resumed_from"].endswith("checkpoint-1") and done["steps"] == STEPS
    before = json.loads((done_run / "ledger.json").read_text())
    after = json.loads((out / "ledger.json").read_text())
    for key in ("steps", "completions", "prompts", "tokens", "judge", "trait_slice", "by_source"):
        assert after[key] == before[key], key
    assert read_jsonl(out / "samples" / "step_00002.jsonl") == read_jsonl(done_run / "samples" / "step_00002.jsonl")
