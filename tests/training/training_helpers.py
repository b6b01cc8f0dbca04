"""Helpers for training tests (imported by conftest and tests): a scripted grader, valid trait
scenarios, a tiny config."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from beneficial_rl.grading.base import GradeRequest, GradeResult
from beneficial_rl.scenarios.schema import Scenario
from beneficial_rl.training.config import TrainConfig

DOMAINS = ["health", "science", "law", "business", "education", "engineering"]
TRAITS = ["truthfulness", "corrigibility", "dense_usefulness", "situational_attunement"]


class ScriptedGrader:
    """A grader whose score is a plain function of the request; records every request it saw."""

    name = "scripted"
    approximate = False

    def __init__(self, score: Callable[[GradeRequest], float | None] | None = None):
        self.score = score or (lambda r: min(1.0, len(r.response) / 40))
        self.requests: list[GradeRequest] = []
        self.usage = {"input_tokens": 0, "output_tokens": 0}

    async def grade(self, requests: Sequence[GradeRequest]) -> list[GradeResult]:
        self.requests.extend(requests)
        self.usage["input_tokens"] += sum(len(r.response) + 10 for r in requests)
        self.usage["output_tokens"] += 3 * len(requests)
        return [GradeResult(id=r.id, score=self.score(r), grader=self.name) for r in requests]


def make_scenario(i: int, trait: str, domain: str, split: str = "train") -> Scenario:
    return Scenario.model_validate({
        "id": f"{trait}-{domain}-{i:03d}".replace("_", "-"),
        "trait": trait,
        "domain": domain,
        "messages": [{"role": "user", "content": f"Case {i}: a hard {domain} question where {trait} matters. "
                                                 "What should I do?"}],
        "rubric": [
            {"criterion": "Names the main risk plainly", "points": 3, "check": {"any": ["risk"]}},
            {"criterion": "Suggests a reversible first step", "points": 2},
            {"criterion": "Claims certainty it cannot have", "points": -2, "check": {"any": ["definitely"]}},
        ],
        "provenance": {"kind": "hand_written", "author": "tests"},
        "split": split,
    })


def make_scenarios(n: int = 36) -> list[Scenario]:
    return [make_scenario(i, TRAITS[i % len(TRAITS)], DOMAINS[i % len(DOMAINS)]) for i in range(n)]


def tiny_config(model: str, **overrides: Any) -> TrainConfig:
    """Settings small enough for a real train() in seconds on one CPU thread."""
    base: dict[str, Any] = {
        "model": model,
        "steps": 2,
        "num_generations": 2,
        "per_device_train_batch_size": 8,  # 4 prompts x 2 completions per step
        "max_completion_length": 8,
        "max_prompt_length": 200,
        "learning_rate": 1e-3,
        "save_every": 100,
        "sample_every": 1,
        "seed": 0,
    }
    base.update(overrides)
    return TrainConfig.model_validate(base)


class HashGrader(ScriptedGrader):
    """Scores spread over [0, 1] by the response's characters: enough reward variance inside every
    group for GRPO to produce a gradient, with no model involved."""

    def __init__(self) -> None:
        super().__init__(lambda r: (sum(map(ord, r.response)) % 97) / 96)


def state_dict(folder: str) -> dict:
    from safetensors.torch import load_file

    return load_file(f"{folder}/model.safetensors")
