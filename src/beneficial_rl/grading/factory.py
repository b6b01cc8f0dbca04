"""Build graders and refusal classifiers from config; run them from synchronous code.

Training and evals call the same `make_grader`; what differs is the role. Pass `use=` to assert
which role the caller needs, so an eval judge can never be handed to the trainer by mistake.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, Literal, TypeVar

from beneficial_rl.errors import BrlError
from beneficial_rl.grading.base import Grader, GradeRequest, GradeResult
from beneficial_rl.grading.config import JudgeConfig, OfflineConfig
from beneficial_rl.grading.judge import JudgeGrader
from beneficial_rl.grading.offline import OfflineGrader
from beneficial_rl.grading.refusal import JudgeRefusalClassifier, OfflineRefusalClassifier, RefusalClassifier

Spec = JudgeConfig | OfflineConfig | dict | str | None
T = TypeVar("T")


def _config(spec: Spec, use: str | None) -> JudgeConfig | OfflineConfig:
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "offline"):
        return OfflineConfig()
    if isinstance(spec, JudgeConfig | OfflineConfig):
        return spec
    if isinstance(spec, dict):
        body = dict(spec)
        if body.pop("kind", None) == "offline":
            return OfflineConfig(**body)
        return JudgeConfig(**body)
    if isinstance(spec, str):
        return JudgeConfig(model=spec, role=use or "reward")
    raise BrlError(f"cannot build a grader from {type(spec).__name__}; give 'offline', a model spec or a JudgeConfig")


def make_grader(spec: Spec = "offline", use: Literal["reward", "eval"] | None = None, model: Any = None) -> Grader:
    """'offline' (or an OfflineConfig) -> OfflineGrader; a model spec or JudgeConfig -> JudgeGrader.

    `use` is the role the caller needs; a judge configured for the other role is refused.
    `model` injects an Inspect Model (tests use a scripted one).
    """
    config = _config(spec, use)
    if isinstance(config, OfflineConfig):
        return OfflineGrader(config)
    if use is not None and config.role != use:
        raise BrlError(f"a judge configured with role {config.role!r} cannot be used as the {use} judge; "
                       "configure the reward and eval judges separately")
    return JudgeGrader(config, model=model)


def make_trait_grader(spec: Spec, model: Any = None) -> Grader:
    """The rubric-free trait judge for evaluation (definition only); offline has no such judge."""
    config = _config(spec, "eval")
    if isinstance(config, OfflineConfig):
        return OfflineGrader(config)
    return JudgeGrader(config, model=model, kind="trait")


def make_refusal_classifier(spec: Spec = "offline", model: Any = None) -> RefusalClassifier:
    config = _config(spec, "eval")
    if isinstance(config, OfflineConfig):
        return OfflineRefusalClassifier()
    return JudgeRefusalClassifier(config, model=model)


class _LoopThread:
    """One event loop in a daemon thread, kept for the process: Inspect's HTTP clients are bound to
    the loop they were first used on, so repeated synchronous calls must share one loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="brl-grading-loop", daemon=True).start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()


_LOOP: _LoopThread | None = None
_LOOP_LOCK = threading.Lock()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from synchronous code (e.g. a TRL reward function) on the grading loop."""
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None:
            _LOOP = _LoopThread()
    return _LOOP.run(coro)


def grade_blocking(grader: Grader, requests: Sequence[GradeRequest]) -> list[GradeResult]:
    """Grade from synchronous code; the offline grader runs inline without any event loop."""
    if isinstance(grader, OfflineGrader):
        return grader.grade_now(requests)
    return run_sync(grader.grade(requests))
