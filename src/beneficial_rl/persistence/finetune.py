"""Harmful fine-tuning attack: SFT on bad medical advice, as a dose ladder of attack steps.

Strength is an axis, not a point (method.md, "Lessons"): one SFT trajectory runs to the largest
dose and exports a model at every dose on the way (dose 0 is the untouched model). The same
ladder is applied to every arm, including the compute-matched baseline and the pre-RL model,
which closes the hole the paper admits (it attacked only a pre-RL model).

Resumable: each exported dose carries a done marker; a rerun skips a finished ladder and otherwise
continues from the trainer's last checkpoint.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from beneficial_rl.errors import BrlError
from beneficial_rl.utils.io import atomic_write_json, read_jsonl

DATA = Path(__file__).parent / "data" / "bad_medical_advice.jsonl"
DONE = "DOSE_DONE.json"
# The out-of-domain measure of the attack (the paper's misalignment questions): run at every dose in
# addition to the evals asked for, and reported on its own, not pooled with the in-domain evals.
OOD_EVAL = "misalignment_questions"


class FinetuneAttackConfig(BaseModel):
    doses: list[int] = Field(default=[0, 10, 20, 40, 80], description="Attack steps at which to export a model.")
    learning_rate: float = Field(default=2e-5, description="SFT learning rate (full fine-tuning) or LoRA LR.")
    batch_size: int = Field(default=4, description="Examples per optimizer step.")
    lora: bool = Field(default=False, description="Attack with a LoRA adapter (merged into each export) instead of full FT.")
    lora_r: int = Field(default=16, description="LoRA rank when lora is on.")
    max_length: int = Field(default=384, description="Truncate attack examples to this many tokens.")
    seed: int = Field(default=0, description="Data order and initialisation seed.")
    data: str | None = Field(default=None, description="Attack JSONL (default: the shipped bad-medical-advice set).")
    ood_eval: str | None = Field(default=OOD_EVAL, description="Out-of-domain eval run at every dose and reported "
                                 "separately (None: off).")


def attack_examples(path: str | Path | None = None) -> list[dict]:
    """Rows {"id", "messages": [user..., assistant(bad advice)], "label": "attack", ...}."""
    path = Path(path) if path else DATA
    rows = read_jsonl(path)
    for i, r in enumerate(rows, start=1):
        if r.get("label") != "attack":
            raise BrlError(f"{path}:{i}:label: attack data must be labelled 'attack'")
        if not r.get("messages") or r["messages"][-1]["role"] != "assistant":
            raise BrlError(f"{path}:{i}:messages: must end on the assistant's (harmful) answer")
    return rows


def _sft_dataset(rows: list[dict]):
    """Prompt/completion form, so the loss falls on the bad advice only (not on the user text)."""
    from datasets import Dataset

    return Dataset.from_list([{"prompt": r["messages"][:-1], "completion": r["messages"][-1:]} for r in rows])


def dose_dir(out_dir: str | Path, dose: int) -> Path:
    return Path(out_dir) / f"dose-{dose:04d}"


@dataclass
class LadderResult:
    doses: dict[int, str]  # dose -> model folder (dose 0: the original model path)


def run_ladder(model_path: str, out_dir: str | Path, cfg: FinetuneAttackConfig,
               callbacks: Sequence[Any] = ()) -> LadderResult:
    """Fine-tune `model_path` on the attack set and export one model per dose.

    `callbacks` are extra transformers TrainerCallbacks (progress reporting; tests use one to
    interrupt the ladder part-way and prove it resumes)."""
    out = Path(out_dir)
    doses = sorted(set(cfg.doses))
    result = {0: model_path} if 0 in doses else {}
    steps = [d for d in doses if d > 0]
    if not steps:
        return LadderResult(result)
    if all((dose_dir(out, d) / DONE).exists() for d in steps):
        return LadderResult(result | {d: str(dose_dir(out, d)) for d in steps})

    import torch
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from beneficial_rl.models.loading import tokenizer_from_path

    rows = attack_examples(cfg.data)
    tok = tokenizer_from_path(model_path)
    on_gpu = torch.cuda.is_available()
    args = SFTConfig(
        output_dir=str(out / "trainer"),
        max_steps=max(steps),
        per_device_train_batch_size=cfg.batch_size,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type="constant",
        warmup_steps=0,
        logging_steps=1,
        save_strategy="no",  # the callback decides when to save
        save_total_limit=1,
        report_to=[],
        seed=cfg.seed,
        max_length=cfg.max_length,
        bf16=on_gpu,
        use_cpu=not on_gpu,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    peft_config = None
    if cfg.lora:
        from peft import LoraConfig

        peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=2 * cfg.lora_r, target_modules="all-linear",
                                 task_type="CAUSAL_LM")

    class ExportDoses(TrainerCallback):
        """At each dose step: export a loadable model and keep a resumable checkpoint."""

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> Any:
            if state.global_step in steps:
                target = dose_dir(out, state.global_step)
                if not (target / DONE).exists():
                    _export(kw["model"], tok, target)
                    atomic_write_json(target / DONE, {"dose": state.global_step, "examples_seen":
                                                      state.global_step * cfg.batch_size})
                control.should_save = state.global_step < max(steps)
            return control

    trainer = SFTTrainer(model=model_path, args=args, train_dataset=_sft_dataset(rows), processing_class=tok,
                         peft_config=peft_config, callbacks=[ExportDoses(), *callbacks])
    has_ckpt = any((out / "trainer").glob("checkpoint-*"))
    trainer.train(resume_from_checkpoint=True if has_ckpt else None)
    shutil.rmtree(out / "trainer", ignore_errors=True)  # optimizer states are large; exports remain
    return LadderResult(result | {d: str(dose_dir(out, d)) for d in steps})


def _export(model: Any, tok: Any, target: Path) -> None:
    """Save a plain (merged) model folder atomically: written aside, then renamed into place."""
    import copy

    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    to_save = model
    if hasattr(model, "merge_and_unload"):
        to_save = copy.deepcopy(model).merge_and_unload()
    to_save.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
