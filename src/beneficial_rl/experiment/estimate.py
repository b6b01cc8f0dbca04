"""A compute estimate per arm for `brl run --dry-run`, from the config and the model's config
alone (parameters counted on the meta device: no weights are loaded)."""

from __future__ import annotations

from functools import cache
from typing import Any

from beneficial_rl.training.config import TrainConfig


@cache
def parameter_count(spec: str) -> int:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from beneficial_rl.models.loading import local_path

    config = AutoConfig.from_pretrained(local_path(spec))
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


def estimate_arm(cfg: TrainConfig, arm: str) -> dict[str, Any]:
    """Upper-bound policy compute, on the ledger's 'budget' metric (every completion padded to the
    maximum prompt + completion length): 6N per trained token, 2N per generated token."""
    spec = cfg.arm(arm)
    completions = cfg.steps * cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps
    prompts = completions // cfg.num_generations
    tokens = completions * (cfg.max_prompt_length + cfg.max_completion_length)
    n = parameter_count(cfg.model)
    return {
        "trait_source": spec.trait_source,
        "steps": cfg.steps,
        "prompts": prompts,
        "completions": completions,
        "trait_prompts_expected": round(prompts * cfg.trait_fraction, 1) if spec.trait_source != "none" else 0,
        "budget_tokens": tokens,
        "parameters": n,
        "policy_flops_budget": float((6 + 2) * n * tokens),
    }
