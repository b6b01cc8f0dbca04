"""The experiment config: one YAML file names everything a run does, and is saved with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from beneficial_rl.persistence.finetune import FinetuneAttackConfig
from beneficial_rl.training.config import TrainConfig
from beneficial_rl.utils.config import read_yaml_mapping, validate_as


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvalStage(_Strict):
    suite: str = Field(default="quick", description="quick, full, offline, a category, or an eval id.")
    evals: list[str] | None = Field(default=None, description="Explicit eval ids (replace the suite when given).")
    limit: int | None = Field(default=None, description="At most this many samples per eval (the same slice for every arm).")
    batch_size: int = Field(default=64, gt=0, description="A local policy: most rows per generate call (requests "
                            "are grouped by prompt length across evals); an endpoint: concurrent requests.")
    batch_tokens: int = Field(default=32768, gt=0, description="A local policy: most padded prompt tokens per "
                              "generate call (bounds one batch's memory).")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="A local policy's weights for evals: auto = as in training (float32 on a CPU, "
        "bf16 on a GPU). bfloat16 is faster on AMX CPUs but rounds away small CPU-trained updates "
        "(benchmarks/bench_bf16_delta.py). Recorded in each eval's summary.")
    max_tokens: int = Field(default=256, description="Longest response per sample.")
    max_tasks: int = Field(default=32, gt=0, description="Evals run together as one Inspect evaluation, so "
                           "generation batches fill across evals (1 = one eval at a time).")
    judge: str | dict[str, Any] = Field(
        default="offline", description="Eval judge: 'offline' (approximate grader) or an endpoint spec / JudgeConfig "
        "mapping with role 'eval'. Never used for a training decision.")
    trait_judge: str | dict[str, Any] | None = Field(default=None, description="Rubric-free trait judge (default: judge).")
    refusal: str | dict[str, Any] | None = Field(default=None, description="Refusal classifier (default: follows judge).")
    sandbox: Literal["brl", "local", "docker"] = Field(
        default="brl", description="Where model-written code runs (impossible_coding): brl (own limited subprocess), "
        "local (Inspect's local sandbox, same limits) or docker (Inspect's docker sandbox, no network).")


class PersonaStage(_Strict):
    personas: list[str] = Field(default=["harmful_medical", "harmful_mental_health", "helpful_medical"],
                                description="Persona prefixes from persistence/personas.yaml.")
    evals: list[str] = Field(description="Evals to run clean and under each persona.")
    limit: int | None = Field(default=None, description="Samples per eval (default: the eval stage's limit).")


class FinetuneStage(_Strict):
    attack: FinetuneAttackConfig = Field(default_factory=FinetuneAttackConfig, description="The SFT dose ladder.")
    evals: list[str] = Field(description="Evals re-run at every dose (in-domain health and out-of-domain).")
    limit: int | None = Field(default=None, description="Samples per eval (default: the eval stage's limit).")


class AttackStage(_Strict):
    persona: PersonaStage | None = Field(default=None, description="Persona-prompt attack; off when absent.")
    finetune: FinetuneStage | None = Field(default=None, description="Harmful fine-tuning attack; off when absent.")


class ReportStage(_Strict):
    alpha: float = Field(default=0.05, description="FDR level for Benjamini-Hochberg.")
    transcripts: int = Field(default=6, description="Side-by-side transcripts of the largest paired differences.")
    seed: int = Field(default=0, description="Bootstrap / permutation seed.")


class ExperimentConfig(_Strict):
    name: str = Field(description="Run name; the run folder is <runs_dir>/<name>.")
    runs_dir: str = Field(default="runs", description="Parent folder of run directories.")
    arms: list[str] = Field(default=["beneficial", "compute_matched_baseline"],
                            description="Arms to train (built-in names or arms defined under train.arms).")
    baseline: str = Field(default="compute_matched_baseline", description="Arm every other arm is compared against.")
    include_pre_rl: bool = Field(default=False, description="Also evaluate (and attack) the untrained starting model "
                                 "as arm 'pre_rl'.")
    train: TrainConfig = Field(default_factory=TrainConfig, description="Training settings shared by all arms "
                               "(inline, or a path to a training YAML relative to this file).")
    eval: EvalStage = Field(default_factory=EvalStage, description="Evaluation stage.")
    attacks: AttackStage = Field(default_factory=AttackStage, description="Persistence attacks (optional).")
    report: ReportStage = Field(default_factory=ReportStage, description="Statistics and report.")

    @property
    def run_dir(self) -> Path:
        return Path(self.runs_dir) / self.name


def load_experiment(path: str | Path, overrides: dict[str, Any] | None = None) -> ExperimentConfig:
    """Read an experiment YAML; a bad field raises a DataError naming the file and the field."""
    path = Path(path)
    raw = read_yaml_mapping(path, "experiment config")
    raw.update(overrides or {})
    if isinstance(raw.get("train"), str):  # `train: train_paper.yaml` reuses a training config file
        from beneficial_rl.training.config import load_train_config

        raw["train"] = load_train_config(path.parent / raw["train"]).model_dump()
    return validate_as(ExperimentConfig, raw, path)
