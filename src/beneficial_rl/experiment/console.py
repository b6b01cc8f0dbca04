"""What `brl run` shows a person: one line per stage with progress and ETA, nothing else.

Libraries talk a lot (TRL's per-step dicts, transformers' weight-loading bars, FutureWarnings,
Inspect's own logging). A researcher watching a run needs where it is and how long is left; the
rest belongs in `runs/<name>/logs/run.log`, which `--verbose` sends back to the terminal.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

_LIBRARY_LOGGERS = ("transformers", "trl", "datasets", "accelerate", "peft", "inspect_ai", "httpx", "torch")


@contextlib.contextmanager
def library_output_to(log_path: Path) -> Iterator[TextIO]:
    """Send everything libraries print, log or warn to `log_path` for the duration.

    Python-level only: print/tqdm (sys.stdout/stderr), the logging tree (with warnings captured into
    it) and transformers' own handler, which holds the stderr it found at import time."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8", buffering=1) as f:
        handler = logging.StreamHandler(f)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
        root = logging.getLogger()
        saved_root = list(root.handlers)
        saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate) for n in _LIBRARY_LOGGERS}
        root.handlers = [handler]
        for n in _LIBRARY_LOGGERS:
            lg = logging.getLogger(n)
            lg.handlers, lg.propagate = [], True  # through the root handler into the file
        logging.captureWarnings(True)
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):
                warnings.simplefilter("default")
                _quiet_progress_bars()
                yield f
        finally:
            logging.captureWarnings(False)
            root.handlers = saved_root
            for n, (handlers, propagate) in saved.items():
                lg = logging.getLogger(n)
                lg.handlers, lg.propagate = handlers, propagate


def _quiet_progress_bars() -> None:
    """Weight-loading and dataset bars off (they would only fill the log)."""
    with contextlib.suppress(ImportError):
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    with contextlib.suppress(ImportError):
        from datasets.utils import logging as ds_logging

        ds_logging.disable_progress_bar()


class StageDisplay:
    """One progress line per stage (train, evaluate, attacks, report), updated in place."""

    def __init__(self, console: Console, stages: list[str]):
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(), TextColumn("ETA"),
                                 TimeRemainingColumn(), console=console)
        self.tasks = {s: self.progress.add_task(f"{s}: waiting", total=None, start=False) for s in stages}

    def __enter__(self) -> StageDisplay:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def start(self, stage: str, total: int, description: str) -> None:
        task = self.tasks[stage]
        self.progress.reset(task, total=total, completed=0, description=f"{stage}: {description}")
        self.progress.start_task(task)

    def update(self, stage: str, description: str | None = None, completed: int | None = None,
               advance: int = 0) -> None:
        kwargs: dict[str, Any] = {"advance": advance}
        if description is not None:
            kwargs["description"] = f"{stage}: {description}"
        if completed is not None:
            kwargs["completed"] = completed
        self.progress.update(self.tasks[stage], **kwargs)

    def finish(self, stage: str, description: str) -> None:
        task = self.tasks[stage]
        state = next(t for t in self.progress.tasks if t.id == task)
        if not state.started:
            self.progress.start_task(task)
        total = state.total or 1
        self.progress.update(task, description=f"{stage}: {description}", total=total, completed=total)
        self.progress.stop_task(task)


def train_callback(display: StageDisplay | None, arm: str, k: int, n: int, steps: int, offset: int) -> Any:
    """A TrainerCallback that moves the train line: arm k of n, step, latest reward (rounded)."""
    from transformers import TrainerCallback

    class _Progress(TrainerCallback):
        reward: float | None = None

        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kw: Any) -> None:
            if logs and logs.get("reward") is not None:
                self.reward = float(logs["reward"])
            self._show(state)

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self._show(state)

        def _show(self, state: Any) -> None:
            if display is None:
                return
            r = "" if self.reward is None else f", reward {self.reward:.2f}"
            display.update("train", f"arm {k}/{n} {arm}, step {state.global_step}/{steps}{r}",
                           completed=offset + state.global_step)

    return _Progress()


def now() -> str:
    return time.strftime("%H:%M:%S")


def plain_console() -> Console:
    """A console bound to the terminal as it is now, so redirecting sys.stdout later (for library
    output) does not capture our own display."""
    return Console(file=sys.stdout, highlight=False)
