"""generation.engine and the hf speed options: validated, resolved per machine, passed to TRL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from pydantic import ValidationError
from training_helpers import tiny_config

from beneficial_rl.errors import BrlError
from beneficial_rl.training.config import GenerationSettings, load_train_config
from beneficial_rl.training.runner import grpo_args, prompts_needed

ROOT = Path(__file__).resolve().parents[2]
HAS_VLLM = importlib.util.find_spec("vllm") is not None


def test_auto_is_hf_without_vllm_or_gpu() -> None:
    import torch

    expected = "vllm" if HAS_VLLM and torch.cuda.is_available() else "hf"
    assert GenerationSettings().resolved_engine() == expected
    assert GenerationSettings(engine="hf").resolved_engine() == "hf"


@pytest.mark.skipif(HAS_VLLM, reason="vLLM is installed here")
def test_vllm_engine_without_vllm_says_how_to_fix_it() -> None:
    with pytest.raises(BrlError, match="pip install vllm"):
        GenerationSettings(engine="vllm").resolved_engine()


def test_inconsistent_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="compileable"):
        GenerationSettings(compile_decode=True)
    with pytest.raises(ValidationError, match="not both"):
        GenerationSettings(steps_per_generation=2, generation_batch_size=16)
    with pytest.raises(ValidationError):
        GenerationSettings(use_vllm=True)  # replaced by engine


def test_steps_per_generation_reaches_trl_and_the_prompt_count(tmp_path) -> None:
    cfg = tiny_config("unused", steps=4, generation={"engine": "hf", "steps_per_generation": 2,
                                                     "cache_implementation": "static"})
    args = grpo_args(cfg, tmp_path)
    assert not args.use_vllm and args.steps_per_generation == 2 and args.cache_implementation == "static"
    assert args.generation_batch_size == 2 * cfg.per_device_train_batch_size
    assert prompts_needed(args, cfg.steps) == 4 * cfg.per_device_train_batch_size // cfg.num_generations
    with pytest.raises(BrlError, match="multiple"):
        prompts_needed(args, 3)


def test_paper_config_loads_and_builds_trl_settings_here(tmp_path) -> None:
    cfg = load_train_config(ROOT / "configs" / "train_paper.yaml")
    assert cfg.generation.engine == "auto" and cfg.generation.steps_per_generation == 8
    assert cfg.steps % cfg.generation.steps_per_generation == 0
    args = grpo_args(cfg, tmp_path)
    assert args.use_vllm == (cfg.generation.resolved_engine() == "vllm")
    assert args.steps_per_generation == 8
