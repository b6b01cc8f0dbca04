"""Trainer callbacks: one train_log.jsonl row per step, and ledger totals inside every checkpoint."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from beneficial_rl.training.ledger import RunStats
from beneficial_rl.utils.io import append_jsonl, atomic_write_json

STATE_FILE = "brl_state.json"


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


class LedgerCallback(TrainerCallback):
    """Writes TRL's per-step metrics plus the router's exact counters to train_log.jsonl, and saves
    the running ledger totals into each checkpoint so that a resumed run continues them."""

    def __init__(self, stats: RunStats, log_path: str | Path, is_main_process: bool = True):
        self.stats = stats
        self.log_path = Path(log_path)
        self.is_main = is_main_process
        self.wall_at_start = stats.wall_seconds
        self.t0 = time.perf_counter()

    def elapsed(self) -> float:
        return self.wall_at_start + time.perf_counter() - self.t0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.t0 = time.perf_counter()

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        logs = logs or {}
        if "train_runtime" in logs:  # the end-of-training summary, not a step
            return
        self.stats.steps = state.global_step
        self.stats.trl_num_tokens = int(state.num_input_tokens_seen)
        self.stats.wall_seconds = self.elapsed()
        row = {"step": state.global_step, "wall_seconds": round(self.stats.wall_seconds, 3),
               **{k: _clean(v) for k, v in logs.items()}, **self.stats.pop_step(state.global_step)}
        if self.is_main:
            append_jsonl(self.log_path, row)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.stats.steps = state.global_step
        self.stats.wall_seconds = self.elapsed()
        if self.is_main:
            folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            atomic_write_json(folder / STATE_FILE, self.stats.to_dict())

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.stats.steps = state.global_step
        self.stats.trl_num_tokens = int(state.num_input_tokens_seen)
        self.stats.wall_seconds = self.elapsed()
