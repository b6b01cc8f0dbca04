"""Trainer callbacks: one train_log.jsonl row per step, ledger totals inside every checkpoint, and a
warning when the trait slice has taught nothing for several steps in a row."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from beneficial_rl.training.ledger import RunStats
from beneficial_rl.utils.io import append_jsonl, atomic_write_json

STATE_FILE = "brl_state.json"
TRAIT_SLICE = ("trait", "control")


def dead_trait_step(row: dict[str, Any]) -> bool | None:
    """True when every trait-slice group of this step was dead, False when one was live, None when the
    step had no trait-slice groups (it neither extends nor breaks a streak)."""
    by_source = row.get("dead_groups_by_source") or {}
    dead = sum(by_source.get(s, {}).get("dead", 0) for s in TRAIT_SLICE)
    groups = sum(by_source.get(s, {}).get("groups", 0) for s in TRAIT_SLICE)
    return None if groups == 0 else dead == groups


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


class LedgerCallback(TrainerCallback):
    """Writes TRL's per-step metrics plus the router's exact counters to train_log.jsonl, and saves
    the running ledger totals into each checkpoint so that a resumed run continues them."""

    def __init__(self, stats: RunStats, log_path: str | Path, is_main_process: bool = True, dead_warn_steps: int = 0,
                 warn: Any = None):
        self.stats = stats
        self.log_path = Path(log_path)
        self.is_main = is_main_process
        self.dead_warn_steps = dead_warn_steps
        self.warn = warn or (lambda msg: print(f"warning: {msg}", file=sys.stderr, flush=True))
        self.dead_streak = 0
        self.streak_start = 0
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
        message = self._dead_trait_check(state.global_step, row)
        if message:
            row["warning"] = message
        if self.is_main:
            append_jsonl(self.log_path, row)

    def _dead_trait_check(self, step: int, row: dict[str, Any]) -> str | None:
        dead = dead_trait_step(row)
        if dead is None or not self.dead_warn_steps:
            return None
        if not dead:
            self.dead_streak = 0
            return None
        if self.dead_streak == 0:
            self.streak_start = step
        self.dead_streak += 1
        if self.dead_streak % self.dead_warn_steps:
            return None
        message = (f"the trait slice has been dead for {self.dead_streak} steps in a row (steps {self.streak_start}-"
                   f"{step}): every trait-slice group got equal rewards, so GRPO learned nothing from it. Check the "
                   "reward judge (flat or failing scores), the rubrics, and whether the prompts are far too easy or "
                   "hard for this policy; see train_log.jsonl dead_groups_by_source and ledger.json dead_groups.")
        streaks = self.stats.trait_dead_streaks
        if streaks and streaks[-1]["start"] == self.streak_start:
            streaks[-1]["steps"] = self.dead_streak
        else:
            streaks.append({"start": self.streak_start, "steps": self.dead_streak})
        if self.is_main:
            self.warn(message)
        return message

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
