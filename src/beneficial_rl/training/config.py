"""Training configuration: what to train, on which mixture, with which GRPO settings.

Every choice the paper leaves open (algorithm settings, batch shapes, the standard RL mix) is a
field here with help text, and the resolved config is saved next to every run, so two arms can be
compared field by field. The arms of the study are data (`BUILTIN_ARMS`); a YAML file can add its
own or override a built-in by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from beneficial_rl.errors import BrlError
from beneficial_rl.models.spec import DEFAULT_MODEL


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArmConfig(_Strict):
    """One arm of the study: which trait slice it trains on and how that slice is rewarded."""

    name: str = Field(description="Arm name; also the folder name of its run.")
    description: str = Field(default="", description="One line saying what this arm tests.")
    trait_source: Literal["none", "rubric", "helpfulness"] = Field(
        description="How the trait slice is filled: 'rubric' = trait conversations graded by their own rubric; "
        "'helpfulness' = the same conversations graded by the generic helpfulness rubric (the control); "
        "'none' = the slice is replaced by standard RL data (the compute-matched baseline)."
    )
    include_domains: list[str] | None = Field(
        default=None, description="Only trait scenarios from these domains (None = all domains)."
    )
    exclude_domains: list[str] = Field(default_factory=list, description="Drop trait scenarios from these domains.")
    include_traits: list[str] | None = Field(default=None, description="Only these traits (None = all traits).")
    exclude_traits: list[str] = Field(default_factory=list, description="Drop these traits from the trait slice.")

    @field_validator("include_domains", "exclude_domains")
    @classmethod
    def _known_domains(cls, v: list[str] | None) -> list[str] | None:
        from beneficial_rl.taxonomy import domains

        unknown = sorted(set(v or []) - set(domains()))
        if unknown:
            raise ValueError(f"unknown domain(s) {unknown}; known: {sorted(domains())}")
        return v

    @field_validator("include_traits", "exclude_traits")
    @classmethod
    def _known_traits(cls, v: list[str] | None) -> list[str] | None:
        from beneficial_rl.taxonomy import traits

        unknown = sorted(set(v or []) - set(traits()))
        if unknown:
            raise ValueError(f"unknown trait(s) {unknown}; known: {sorted(traits())}")
        return v

    def wants(self, trait: str, domain: str) -> bool:
        """Whether a scenario with this trait and domain belongs in this arm's trait slice."""
        if self.include_domains is not None and domain not in self.include_domains:
            return False
        if self.include_traits is not None and trait not in self.include_traits:
            return False
        return domain not in self.exclude_domains and trait not in self.exclude_traits


BUILTIN_ARMS: dict[str, ArmConfig] = {
    a.name: a
    for a in [
        ArmConfig(name="beneficial", trait_source="rubric",
                  description="Trait conversations rewarded by their own rubrics."),
        ArmConfig(name="compute_matched_baseline", trait_source="none",
                  description="Same compute, the trait slice replaced by standard RL data."),
        ArmConfig(name="helpfulness_control", trait_source="helpfulness",
                  description="The same trait conversations rewarded by a generic helpfulness rubric."),
        ArmConfig(name="health_only", trait_source="rubric", include_domains=["health"],
                  description="Trait data restricted to the health domain."),
        ArmConfig(name="no_health_no_science", trait_source="rubric", exclude_domains=["health", "science"],
                  description="Trait data without health and science."),
    ]
}


class DataSource(_Strict):
    """One source of standard RL prompts for the 95% slice."""

    kind: Literal["arithmetic", "word_problems", "math", "code", "instructions", "qa", "logic", "structured",
                  "helpfulness", "gsm8k_train", "math_train", "mbpp_train", "triviaqa_train", "jsonl", "hub"] = Field(
        description="Built-in generator (arithmetic, word_problems, math, code, instructions, qa, logic, structured; "
        "helpfulness is rubric-graded by the reward judge), a public train split (gsm8k_train, math_train, "
        "mbpp_train, triviaqa_train: read from `path` or BRL_DATA_<KIND> when set, else the hub), a local JSONL "
        "file, or a dataset loaded with `datasets.load_dataset` (hub name or local folder)."
    )
    weight: float = Field(default=1.0, gt=0, description="Relative share of the standard slice.")
    name: str | None = Field(default=None, description="Task name in logs (default: the kind or file stem).")
    path: str | None = Field(
        default=None, description="JSONL file (kind=jsonl), dataset name/folder (kind=hub) or a local copy of a "
        "public train split (JSONL/JSON/CSV/Parquet).")
    subset: str | None = Field(default=None, description="Dataset configuration name (kind=hub).")
    split: str = Field(default="train", description="Dataset split (kind=hub).")
    prompt_field: str = Field(default="prompt", description="Field holding the prompt text or messages.")
    answer_field: str = Field(default="answer", description="Field holding a numeric answer (graded by the math verifier).")
    answer_instruction: bool = Field(
        default=True, description="Append 'finish with Answer: <number>' to external math prompts."
    )

    @model_validator(mode="after")
    def _path_when_needed(self) -> DataSource:
        if self.kind in ("jsonl", "hub") and not self.path:
            raise ValueError(f"a {self.kind} source needs `path`")
        return self

    @property
    def task(self) -> str:
        if self.name:
            return self.name
        if self.kind == "jsonl" and self.path:
            return Path(self.path).stem
        if self.kind == "hub" and self.path:
            return self.path.rstrip("/").split("/")[-1]
        return self.kind


def default_sources() -> list[DataSource]:
    """Six code-verified families, all generated offline (training/tasks/__init__.py lists them)."""
    return [
        DataSource(kind="arithmetic", weight=0.05),
        DataSource(kind="word_problems", weight=0.1),
        DataSource(kind="math", weight=0.2),
        DataSource(kind="code", weight=0.15),
        DataSource(kind="instructions", weight=0.15),
        DataSource(kind="qa", weight=0.15),
        DataSource(kind="logic", weight=0.1),
        DataSource(kind="structured", weight=0.1),
    ]


class LoraSettings(_Strict):
    enabled: bool = Field(default=False, description="Train LoRA adapters instead of all weights.")
    r: int = Field(default=16, gt=0, description="LoRA rank.")
    alpha: int = Field(default=32, gt=0, description="LoRA scaling numerator (scale = alpha / r).")
    dropout: float = Field(default=0.05, ge=0, lt=1, description="Dropout on the LoRA path.")
    target_modules: list[str] | str = Field(
        default="all-linear", description="Modules that get adapters: a list of names or 'all-linear'."
    )


class GenerationSettings(_Strict):
    """How completions are generated. `engine` picks the generator; the rest passes through to TRL's
    GRPOConfig. Which settings are fastest is measured by benchmarks/gpu_grpo_step.py."""

    engine: Literal["auto", "hf", "vllm"] = Field(
        default="auto",
        description="'hf' = transformers generate() inside the trainer; 'vllm' = TRL's vLLM generation "
        "(vllm_mode colocate or server; needs `pip install vllm` and a CUDA GPU); 'auto' = vLLM where it is "
        "importable and a CUDA GPU is present, else hf. The engine actually used is saved in config.yaml.",
    )
    temperature: float = Field(default=1.0, gt=0, description="Sampling temperature of the policy.")
    top_p: float = Field(default=1.0, gt=0, le=1, description="Nucleus sampling mass.")
    generation_batch_size: int | None = Field(
        default=None, description="Completions generated per round, all processes together (None = "
        "steps_per_generation micro-steps' worth). Set this or steps_per_generation, not both."
    )
    steps_per_generation: int | None = Field(
        default=None, description="Micro-steps served by one generation round (None = gradient_accumulation_steps, "
        "i.e. one generate per optimizer step). Above gradient_accumulation_steps, one generate call serves several "
        "optimizer steps: far fewer, larger generate calls (the win for launch-bound small models), at the price of "
        "training later steps on completions from a policy up to that many steps old (TRL then computes old "
        "log-probs for the importance ratio; the ledger counts that extra pass). steps x "
        "gradient_accumulation_steps must be a multiple of it."
    )
    cache_implementation: str | None = Field(
        default=None, description="transformers KV-cache implementation for generate() with engine hf (e.g. "
        "'static': preallocated, needed for compile_decode); None = the dynamic cache. Ignored by vLLM."
    )
    compile_decode: bool = Field(
        default=False,
        description="engine hf only: let transformers torch.compile the decoding forward pass (TRL turns this off). "
        "Needs a compileable cache (cache_implementation 'static') and a CUDA GPU; on CPU it is ignored. Each new "
        "padded prompt length can trigger a recompile, so measure it (benchmarks/gpu_grpo_step.py) before using it.",
    )
    vllm_mode: Literal["colocate", "server"] = Field(
        default="colocate", description="vLLM in the training process ('colocate') or a separate `trl vllm-serve` ('server')."
    )
    vllm_server_base_url: str | None = Field(default=None, description="URL of the `trl vllm-serve` server (server mode).")
    vllm_gpu_memory_utilization: float = Field(
        default=0.3, gt=0, le=1, description="GPU memory share vLLM may take (colocate mode)."
    )
    vllm_tensor_parallel_size: int = Field(default=1, ge=1, description="Tensor-parallel size of colocated vLLM.")
    generation_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra generation arguments (transformers or vLLM SamplingParams)."
    )

    @model_validator(mode="after")
    def _coherent(self) -> GenerationSettings:
        if self.generation_batch_size is not None and self.steps_per_generation is not None:
            raise ValueError("set generation_batch_size or steps_per_generation, not both (TRL derives one from the other)")
        if self.compile_decode and self.cache_implementation in (None, "dynamic"):
            raise ValueError("compile_decode needs a compileable KV cache: set cache_implementation: static")
        return self

    def resolved_engine(self) -> Literal["hf", "vllm"]:
        """The engine this machine will use: 'auto' becomes vllm only where vLLM imports and CUDA is present."""
        import importlib.util

        if self.engine == "hf":
            return "hf"
        has_vllm = importlib.util.find_spec("vllm") is not None
        if self.engine == "vllm":
            if not has_vllm:
                raise BrlError("generation.engine is 'vllm' but vLLM is not installed: pip install vllm (needs a CUDA "
                               "GPU), or set engine: hf (or auto)")
            return "vllm"
        import torch

        return "vllm" if has_vllm and torch.cuda.is_available() else "hf"


# GRPOConfig fields this package sets from TrainConfig; grpo_extra may not set them a second way.
OWNED_GRPO_FIELDS = frozenset({
    "output_dir", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps", "num_generations",
    "max_completion_length", "learning_rate", "lr_scheduler_type", "warmup_steps", "seed", "logging_steps",
    "save_strategy", "save_steps", "save_total_limit", "report_to", "use_cpu", "bf16", "fp16",
    "gradient_checkpointing", "activation_checkpointing", "shuffle_dataset", "remove_unused_columns", "model_init_kwargs",
    "temperature", "top_p", "generation_batch_size", "steps_per_generation", "cache_implementation",
    "use_vllm", "vllm_mode", "vllm_server_base_url", "vllm_gpu_memory_utilization",
    "vllm_tensor_parallel_size", "generation_kwargs", "vllm_max_model_length",
})


class TrainConfig(_Strict):
    """Everything `train_arm` needs; one YAML file per experiment."""

    model: str = Field(default=DEFAULT_MODEL, description="Policy model spec (embedded:NAME, hub id or folder).")
    reward_judge: str = Field(
        default="offline",
        description="Grader for rubric rewards: 'offline' (programmatic, approximate) or a chat endpoint spec. "
        "This is the reward judge only; the evaluation judge is configured separately and never trains.",
    )
    trait_data: list[str] = Field(
        default_factory=list,
        description="Scenario JSONL files for the trait slice (empty = the shipped library's train split). "
        "Rows whose split is not 'train' are refused.",
    )
    trait_fraction: float = Field(default=0.05, ge=0, le=1, description="Share of prompts from the trait slice.")
    standard_data: list[DataSource] = Field(
        default_factory=default_sources, min_length=1, description="Sources of the standard RL slice and their weights."
    )
    arms: list[ArmConfig] = Field(
        default_factory=list, description="Extra arms (or overrides of built-in arms with the same name)."
    )
    steps: int = Field(default=200, gt=0, description="Optimizer steps per arm (the paper reports about 200).")
    num_generations: int = Field(default=8, ge=2, description="Completions per prompt (the GRPO group size).")
    per_device_train_batch_size: int = Field(default=8, gt=0, description="Completions per device per micro-step.")
    gradient_accumulation_steps: int = Field(default=1, gt=0, description="Micro-steps per optimizer step.")
    learning_rate: float = Field(default=1e-6, gt=0, description="Peak AdamW learning rate.")
    lr_scheduler_type: str = Field(default="constant", description="transformers scheduler name (constant, linear, cosine...).")
    warmup_ratio: float = Field(default=0.0, ge=0, lt=1, description="Share of steps spent warming up the learning rate.")
    lora: LoraSettings = Field(default_factory=LoraSettings, description="LoRA on/off and its shape.")
    max_prompt_length: int = Field(
        default=512, gt=0, description="Longest prompt in tokens (chat template included); longer items are dropped."
    )
    max_completion_length: int = Field(default=256, gt=0, description="Longest completion in tokens.")
    generation: GenerationSettings = Field(default_factory=GenerationSettings, description="Sampling options.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="Weights dtype: auto = bfloat16 on GPU, float32 on CPU."
    )
    gradient_checkpointing: bool | None = Field(
        default=None, description="Trade compute for memory (None = on for GPU, off for CPU)."
    )
    seed: int = Field(default=0, description="Seed of the mixture, the generators and the trainer.")
    save_every: int = Field(default=50, gt=0, description="Checkpoint every N steps (resume starts from the last one).")
    keep_checkpoints: int = Field(default=2, gt=0, description="Checkpoints kept on disk.")
    sample_every: int = Field(
        default=10, gt=0, description="Save all completions generated at step 1 and every Nth step to samples/."
    )
    output_dir: str = Field(default="runs/train", description="Arms train into <output_dir>/<arm>.")
    compute_match_tolerance: float = Field(
        default=0.02, ge=0, description="Largest relative policy-compute difference still called compute-matched."
    )
    compute_metric: Literal["budget", "padded", "realized"] = Field(
        default="padded",
        description="Policy compute compared across arms (decides the matched/not-matched verdict): 'padded' = "
        "the padded tensors the trainer actually processed (what the device computed; default); 'budget' = "
        "completions x (max_prompt_length + max_completion_length) tokens, equal by construction for equal "
        "shapes; 'realized' = real prompt + completion tokens. All three differences are reported either way.",
    )
    dead_groups: Literal["keep", "drop"] = Field(
        default="keep",
        description="Groups whose completions all got the same reward ('dead': GRPO learns nothing from them). "
        "'keep' = TRL's behaviour: they stay in the batch with zero advantage and still count in the loss's token "
        "normaliser (diluting the live groups' gradient). 'drop' = dynamic sampling in the DAPO sense without "
        "resampling: their completions are masked out of the loss, so only live groups set its scale. Either way "
        "they were generated, scored and run through forward/backward, and the ledger counts that compute "
        "(ledger.json dead_groups says how many completions were dropped). The batch is not refilled with new "
        "prompts, so a step with many dead groups trains on fewer completions.",
    )
    dead_trait_warn_steps: int = Field(
        default=5, ge=0,
        description="Warn (on the console and in train_log.jsonl as 'warning') when every trait-slice group was dead "
        "for this many consecutive steps that had trait-slice groups: the trait slice is then teaching nothing "
        "(a flat reward, a broken judge, or prompts too easy/hard for the policy). 0 turns the warning off.",
    )
    report_to: list[str] = Field(default_factory=list, description="Experiment trackers (wandb, trackio...); none by default.")
    grpo_extra: dict[str, Any] = Field(
        default_factory=dict, description="Any other GRPOConfig field, passed through (e.g. beta, loss_type, scale_rewards)."
    )

    @field_validator("grpo_extra")
    @classmethod
    def _not_owned(cls, v: dict[str, Any]) -> dict[str, Any]:
        clash = sorted(set(v) & OWNED_GRPO_FIELDS)
        if clash:
            raise ValueError(f"{clash} are set by TrainConfig fields; set them there, not in grpo_extra")
        return v

    @model_validator(mode="after")
    def _unique_arm_names(self) -> TrainConfig:
        names = [a.name for a in self.arms]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"arm names must be unique: {dup}")
        return self

    def all_arms(self) -> dict[str, ArmConfig]:
        return {**BUILTIN_ARMS, **{a.name: a for a in self.arms}}

    def arm(self, name: str) -> ArmConfig:
        arms = self.all_arms()
        if name not in arms:
            raise BrlError(f"unknown arm {name!r}; available: {', '.join(arms)}")
        return arms[name]


def load_train_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a YAML config; a bad field raises a DataError naming the file and the field."""
    from beneficial_rl.utils.config import read_yaml_mapping, validate_as

    raw = read_yaml_mapping(path, "training config")
    raw = raw.get("train", raw)  # accept a whole experiment file with a `train:` section
    raw.update(overrides or {})
    return validate_as(TrainConfig, raw, path)