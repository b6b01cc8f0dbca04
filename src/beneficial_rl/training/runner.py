"""Train one arm with TRL's GRPOTrainer: mixture in, merged checkpoint and compute ledger out.

    <out_dir>/config.yaml         resolved config, arm, library versions
    <out_dir>/mixture.json        what the mixture holds (trait share, tasks, domains, left-out items)
    <out_dir>/train_log.jsonl     one row per step: TRL's metrics + per-source rewards + exact counters
    <out_dir>/samples/step_N.jsonl every completion of every `sample_every`-th step
    <out_dir>/checkpoints/        TRL checkpoints (each with the ledger totals so far)
    <out_dir>/final/              a plain transformers model folder with tokenizer (LoRA merged in)
    <out_dir>/ledger.json         compute actually spent (see ledger.py)
    <out_dir>/done.json           written last; its presence makes train_arm a no-op

Rerunning after a crash resumes from the last checkpoint and continues the step count; the data
order is deterministic (TRL's sampler is not shuffled: the mixture is already in a seeded order),
so the resumed run sees exactly the prompts an uninterrupted run would have.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from beneficial_rl.errors import BrlError
from beneficial_rl.grading.base import Grader
from beneficial_rl.scenarios.schema import Scenario
from beneficial_rl.training.callbacks import STATE_FILE, LedgerCallback
from beneficial_rl.training.config import ArmConfig, TrainConfig
from beneficial_rl.training.ledger import RunStats, build_ledger
from beneficial_rl.training.mixture import Mixture, build_mixture, chat_token_counter
from beneficial_rl.training.rewards import RewardRouter
from beneficial_rl.utils.io import atomic_write_json, atomic_write_jsonl, atomic_write_text, read_jsonl

DONE = "done.json"


def _on_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def resolved_dtype(cfg: TrainConfig) -> str:
    if cfg.dtype != "auto":
        return cfg.dtype
    return "bfloat16" if _on_gpu() else "float32"


def grpo_args(cfg: TrainConfig, output_dir: str | Path) -> Any:
    """TRL's GRPOConfig for this TrainConfig (CPU-safe: no bf16, use_cpu without a GPU)."""
    from trl import GRPOConfig

    gen = cfg.generation
    use_vllm = gen.resolved_engine() == "vllm"
    gpu = _on_gpu()
    dtype = resolved_dtype(cfg)
    kwargs: dict[str, Any] = dict(
        output_dir=str(output_dir),
        max_steps=cfg.steps,
        per_device_train_batch_size=cfg.per_device_train_batch_size,
        gradient_accumulation_steps=cfg.gradient_accumulation_steps,
        num_generations=cfg.num_generations,
        max_completion_length=cfg.max_completion_length,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type=cfg.lr_scheduler_type,
        warmup_steps=cfg.warmup_ratio,  # transformers 5: a float below 1 is a ratio of all steps
        seed=cfg.seed,
        logging_steps=1,
        save_strategy="steps",
        save_steps=cfg.save_every,
        save_total_limit=cfg.keep_checkpoints,
        report_to=cfg.report_to or "none",
        use_cpu=not gpu,
        bf16=gpu and dtype == "bfloat16",
        fp16=gpu and dtype == "float16",
        activation_checkpointing=cfg.gradient_checkpointing if cfg.gradient_checkpointing is not None else gpu,
        shuffle_dataset=False,  # the mixture is already in a seeded order; keeping it makes resume exact
        remove_unused_columns=False,
        model_init_kwargs={"dtype": dtype},
        temperature=gen.temperature,
        top_p=gen.top_p,
        generation_batch_size=gen.generation_batch_size,
        steps_per_generation=gen.steps_per_generation,
        cache_implementation=gen.cache_implementation,
        use_vllm=use_vllm,
        vllm_mode=gen.vllm_mode,
        vllm_server_base_url=gen.vllm_server_base_url,
        vllm_gpu_memory_utilization=gen.vllm_gpu_memory_utilization,
        vllm_tensor_parallel_size=gen.vllm_tensor_parallel_size,
        generation_kwargs=gen.generation_kwargs or None,
    )
    if use_vllm:
        kwargs["vllm_max_model_length"] = cfg.max_prompt_length + cfg.max_completion_length
    kwargs.update(cfg.grpo_extra)
    try:
        return GRPOConfig(**kwargs)
    except (ValueError, TypeError) as e:
        raise BrlError(f"invalid GRPO settings: {e}") from None


def prompts_needed(args: Any, steps: int) -> int:
    """Unique prompts the trainer consumes in `steps` optimizer steps (all processes together)."""
    micro = steps * args.gradient_accumulation_steps
    per_round = args.steps_per_generation * args.num_iterations
    if micro % per_round:
        raise BrlError(
            f"steps x gradient_accumulation_steps ({micro}) must be a multiple of steps_per_generation x "
            f"num_iterations ({per_round}), or the last generation round would be only partly trained on and "
            "the ledger could not say which completions were"
        )
    return micro // per_round * (args.generation_batch_size // args.num_generations)


def load_trait_scenarios(cfg: TrainConfig) -> list[Scenario]:
    """The configured trait files, or the shipped library's train split. Eval rows are refused."""
    from beneficial_rl.scenarios.io import load_library, load_scenarios

    scenarios = load_scenarios(cfg.trait_data) if cfg.trait_data else load_library("train")
    bad = [s.id for s in scenarios if s.split != "train"]
    if bad:
        raise BrlError(f"{len(bad)} scenario(s) with split other than 'train' (e.g. {bad[0]!r}); eval scenarios "
                       "are never trained on")
    if not scenarios:
        raise BrlError("no training scenarios found: the shipped library's train split is empty and trait_data "
                       "is not set")
    return scenarios


def resume_point(checkpoints: Path) -> Path | None:
    """The newest checkpoint that also holds ledger totals (a crash between TRL's save and ours
    leaves one without; resuming from it would lose the ledger)."""
    if not checkpoints.is_dir():
        return None
    found = sorted((p for p in checkpoints.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                   key=lambda p: int(p.name.split("-")[-1]), reverse=True)
    return next((p for p in found if (p / STATE_FILE).is_file() and (p / "trainer_state.json").is_file()), None)


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("beneficial-rl", "torch", "transformers", "trl", "peft", "accelerate", "datasets"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _trim_to_step(out: Path, step: int) -> None:
    """Drop log rows and sample files written after the checkpoint we resume from."""
    log = out / "train_log.jsonl"
    if log.is_file():
        atomic_write_jsonl(log, [r for r in read_jsonl(log, tolerate_torn_tail=True) if r.get("step", 0) <= step])
    for f in (out / "samples").glob("step_*.jsonl"):
        if int(f.stem.split("_")[1]) > step:
            f.unlink()


@dataclass
class Prepared:
    """Everything train_arm builds before calling train(); the benchmark reuses it."""

    trainer: Any
    stats: RunStats
    mixture: Mixture
    arm: ArmConfig
    resume: Path | None
    model_path: str
    tokenizer: Any


def prepare(config: TrainConfig, arm_name: str, out_dir: str | Path, grader: Grader | None, *,
            scenarios: Sequence[Scenario] | None = None, callbacks: Sequence[Any] = ()) -> Prepared:
    from datasets import Dataset
    from trl import GRPOTrainer

    from beneficial_rl.models.loading import local_path, tokenizer_from_path

    out = Path(out_dir)
    arm = config.arm(arm_name)
    model_path = local_path(config.model)
    tok = tokenizer_from_path(model_path)
    args = grpo_args(config, out / "checkpoints")
    is_main = args.process_index == 0
    needs_traits = arm.trait_source != "none" and config.trait_fraction > 0
    if scenarios is None:
        scenarios = load_trait_scenarios(config) if needs_traits else []
    mixture = build_mixture(config, arm, scenarios, prompts_needed(args, config.steps),
                            chat_token_counter(tok, args.chat_template_kwargs))
    resume = resume_point(out / "checkpoints")
    stats = RunStats.load(resume / STATE_FILE) if resume else RunStats()
    if is_main:
        out.mkdir(parents=True, exist_ok=True)
        resolved = {"train": config.model_dump(mode="json"), "arm": arm.model_dump(mode="json"),
                    "model_path": model_path, "world_size": args.world_size,
                    "generation_batch_size": args.generation_batch_size,
                    "steps_per_generation": args.steps_per_generation,
                    "generation_engine": "vllm" if args.use_vllm else "hf", "versions": _versions()}
        atomic_write_text(out / "config.yaml", yaml.safe_dump(resolved, sort_keys=False))
        atomic_write_json(out / "mixture.json", mixture.summary)
        if resume:
            _trim_to_step(out, stats.steps)
        else:
            (out / "train_log.jsonl").unlink(missing_ok=True)
    peft_config = None
    if config.lora.enabled:
        from peft import LoraConfig

        peft_config = LoraConfig(r=config.lora.r, lora_alpha=config.lora.alpha, lora_dropout=config.lora.dropout,
                                 target_modules=config.lora.target_modules, task_type="CAUSAL_LM")
    stats.drop_dead = config.dead_groups == "drop"
    router = RewardRouter(grader, stats, out / "samples", config.sample_every, is_main)
    trainer_cls = dead_group_dropping_trainer(GRPOTrainer) if stats.drop_dead else GRPOTrainer
    trainer = trainer_cls(
        model=model_path, reward_funcs=router, args=args, train_dataset=Dataset.from_list(mixture.rows),
        processing_class=tok, peft_config=peft_config,
        callbacks=[LedgerCallback(stats, out / "train_log.jsonl", is_main, config.dead_trait_warn_steps), *callbacks],
    )
    if stats.drop_dead:
        trainer.brl_stats = stats
    router.attach(trainer)  # grading starts as soon as a batch's completions are decoded
    if config.generation.compile_decode and not args.use_vllm:
        trainer.generation_config.disable_compile = False  # TRL turns transformers' decode compile off
    return Prepared(trainer, stats, mixture, arm, resume, model_path, tok)


def drop_dead_groups(output: dict[str, Any], rows: Sequence[int], dead: frozenset[int], gather: Any) -> dict[str, Any]:
    """Mask the completions of dead groups out of the loss (dead_groups='drop'): their completion mask
    becomes zero and the token count the DAPO/CISPO losses normalise by is recounted across processes,
    so the live groups alone set the loss scale. Nothing is removed from the batch: the compute for
    the dropped completions is spent (and counted by the ledger) all the same."""
    mask = output["completion_mask"]
    keep = mask.new_tensor([r not in dead for r in rows]).unsqueeze(1)
    output["completion_mask"] = mask * keep
    output["num_items_in_batch"] = gather(output["completion_mask"].sum()).sum()
    return output


def dead_group_dropping_trainer(base: type) -> type:
    """GRPOTrainer with dead groups masked out after scoring; the reward router has just recorded which
    rows were dead (RunStats.last_dead_rows, computed over all processes' samples)."""

    class DeadGroupDroppingGRPOTrainer(base):
        brl_stats: RunStats

        def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
            output = super()._generate_and_score_completions(inputs)
            return drop_dead_groups(output, [int(x["row"]) for x in inputs], self.brl_stats.last_dead_rows,
                                    self.accelerator.gather)

    return DeadGroupDroppingGRPOTrainer


def _param_counts(model: Any) -> tuple[int, int]:
    # DeepSpeed ZeRO-3 partitions parameters; ds_numel is the full size.
    total = sum(getattr(p, "ds_numel", p.numel()) for p in model.parameters())
    trainable = sum(getattr(p, "ds_numel", p.numel()) for p in model.parameters() if p.requires_grad)
    return total, trainable


def shape_of(config: TrainConfig, args: Any) -> dict[str, Any]:
    """The settings that decide policy compute; arms must agree on these to be compute-matched."""
    generate_every = args.steps_per_generation * args.num_iterations
    return {
        "model": config.model,
        "steps": config.steps,
        "num_generations": args.num_generations,
        "per_device_train_batch_size": args.per_device_train_batch_size,
        "world_size": args.world_size,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "generation_batch_size": args.generation_batch_size,
        "steps_per_generation": args.steps_per_generation,
        "num_iterations": args.num_iterations,
        "max_prompt_length": config.max_prompt_length,
        "max_completion_length": config.max_completion_length,
        "lora": config.lora.enabled,
        "reference_pass": args.beta != 0.0,
        "dead_groups": config.dead_groups,
        "old_logprob_pass": bool(args.gradient_accumulation_steps % generate_every
                                 or (args.use_vllm and args.vllm_importance_sampling_correction)),
    }


def _save_final(p: Prepared, config: TrainConfig, final: Path) -> None:
    trainer = p.trainer
    is_main = trainer.args.process_index == 0
    tmp = final.with_name(final.name + ".partial")
    if is_main and tmp.exists():
        shutil.rmtree(tmp)
    if config.lora.enabled:
        adapter = final.parent / "adapter"
        trainer.save_model(str(adapter))  # every process takes part (sharded weights are gathered)
        if is_main:
            from peft import PeftModel
            from transformers import AutoModelForCausalLM

            base = AutoModelForCausalLM.from_pretrained(p.model_path, dtype=resolved_dtype(config))
            merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
            merged.save_pretrained(str(tmp))
            p.tokenizer.save_pretrained(str(tmp))
    else:
        unwrapped = trainer.accelerator.unwrap_model(trainer.model)
        unwrapped.config.use_cache = True  # gradient checkpointing turned it off; evals want it on
        trainer.save_model(str(tmp))
    trainer.accelerator.wait_for_everyone()
    if is_main:
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)


def train_arm(config: TrainConfig, arm_name: str, out_dir: str | Path, grader: Grader | None, *,
              scenarios: Sequence[Scenario] | None = None, callbacks: Sequence[Any] = ()) -> Path:
    """Train one arm and return its final model folder. Idempotent (a finished arm is skipped) and
    resumable (a crashed one continues from its last checkpoint, step count included).

    `grader` is the reward judge for rubric-graded prompts; `scenarios` overrides the trait data of
    the config (tests, orchestrators); `callbacks` are extra transformers TrainerCallbacks."""
    out = Path(out_dir)
    final = out / "final"
    if (out / DONE).is_file() and final.is_dir():
        return final
    started = time.time()
    p = prepare(config, arm_name, out, grader, scenarios=scenarios, callbacks=callbacks)
    trainer = p.trainer
    trainer.train(resume_from_checkpoint=str(p.resume) if p.resume else None)
    if trainer.state.global_step < config.steps:
        raise BrlError(f"arm {arm_name!r} stopped at step {trainer.state.global_step} of {config.steps}; "
                       "rerun to resume from the last checkpoint")
    _save_final(p, config, final)
    n_params, n_trainable = _param_counts(trainer.model)
    ledger = build_ledger(
        p.stats, arm=arm_name, model=config.model, n_params=n_params, n_trainable=n_trainable,
        shape=shape_of(config, trainer.args),
        grader={"name": getattr(grader, "name", None), "approximate": getattr(grader, "approximate", None)},
        mixture=p.mixture.summary, metric=config.compute_metric,
    )
    if trainer.args.process_index == 0:
        atomic_write_json(out / "ledger.json", ledger)
        atomic_write_json(out / DONE, {"arm": arm_name, "final": str(final), "steps": trainer.state.global_step,
                                       "resumed_from": str(p.resume) if p.resume else None,
                                       "session_seconds": round(time.time() - started, 3)})
    trainer.accelerator.wait_for_everyone()  # other processes read ledger.json once train_arm returns
    return final
