"""A compute estimate per arm for `brl run --dry-run`, from the config and the model's config
alone (parameters counted on the meta device: no weights are loaded), and the trait exposures the
arm will get: how many trait rows, from how many eligible scenarios, how often each is repeated,
per domain.

The dry run is a planning tool and must work offline: the model's config is read from a local
folder or the hub cache first; the hub is asked only when neither has it, and an estimate that
cannot be made (no config anywhere, no network) is reported as missing with the reason, never as
a traceback.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from beneficial_rl.training.config import TrainConfig


@cache
def _model_config(spec: str) -> tuple[Any | None, str | None]:
    """(transformers config, None), or (None, why it could not be read)."""
    from transformers import AutoConfig

    from beneficial_rl.errors import BrlError
    from beneficial_rl.models.spec import parse_spec

    try:
        parsed = parse_spec(spec)
        if parsed.kind == "embedded":
            from beneficial_rl.models.loading import local_path

            return AutoConfig.from_pretrained(local_path(parsed), local_files_only=True), None
        path = parsed.name if parsed.kind == "hf" else None
        if path is None:
            return None, f"{spec!r} is a chat endpoint, not a local model"
    except BrlError as e:
        return None, str(e)
    try:  # a local folder or the hub cache: no network
        return AutoConfig.from_pretrained(path, local_files_only=True), None
    except Exception:  # noqa: BLE001 - not cached; try the hub below
        pass
    try:
        return AutoConfig.from_pretrained(path), None
    except Exception as e:  # noqa: BLE001 - offline, unknown repo, gated repo: all reported, none fatal
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None, (f"the config of {path!r} is neither a local folder nor in the hub cache, and the hub could not "
                      f"be asked ({type(e).__name__}: {first[:200]}); download it once with "
                      f"`huggingface-cli download {path} config.json` or name a local folder")


@cache
def parameter_count(spec: str) -> int | None:
    """Parameters of the model, or None when its config cannot be read (see `parameter_count_error`)."""
    import torch
    from transformers import AutoModelForCausalLM

    config, _ = _model_config(spec)
    if config is None:
        return None
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


def parameter_count_error(spec: str) -> str | None:
    return _model_config(spec)[1]


def _local_token_counter(cfg: TrainConfig):
    """The chat-template token counter of the policy's tokenizer when it is on disk, else None."""
    from beneficial_rl.models.spec import parse_spec

    try:
        spec = parse_spec(cfg.model)
        if spec.kind != "hf":
            from beneficial_rl.models.loading import load_tokenizer

            tok = load_tokenizer(cfg.model)
        else:
            from transformers import AutoTokenizer

            tok = AutoTokenizer.from_pretrained(spec.name, local_files_only=True)
            if not tok.chat_template:
                return None
        from beneficial_rl.training.mixture import chat_token_counter

        return chat_token_counter(tok)
    except Exception:  # noqa: BLE001 - no local tokenizer: exposures are estimated without the length filter
        return None


def trait_exposures(cfg: TrainConfig, arm: str, n_prompts: int, count_tokens=None) -> dict[str, Any]:
    """Trait rows the arm's mixture will hold, and how often each eligible scenario repeats (epochs),
    in total and per domain, computed with the mixture's own position and pool rules."""
    from beneficial_rl.errors import BrlError
    from beneficial_rl.training.mixture import trait_pool, trait_positions
    from beneficial_rl.training.runner import load_trait_scenarios

    spec = cfg.arm(arm)
    rows = sum(trait_positions(n_prompts, cfg.trait_fraction, cfg.seed))
    out: dict[str, Any] = {"trait_rows": rows if spec.trait_source != "none" else 0,
                           "source": spec.trait_source}
    if spec.trait_source == "none":
        out["note"] = "this arm replaces the trait slice with standard prompts"
        return out
    try:
        scenarios = load_trait_scenarios(cfg)
    except BrlError as e:
        out["error"] = str(e)
        return out
    pool, dropped = trait_pool(scenarios, spec, cfg, count_tokens or (lambda _m: 0))
    if count_tokens is None:
        out["note"] = ("the policy's tokenizer is not on disk, so scenarios longer than max_prompt_length were not "
                       "left out here; training leaves them out")
    seen = Counter(pool[k % len(pool)].id for k in range(rows)) if pool else Counter()
    domain_of = {s.id: s.domain for s in pool}
    eligible = Counter(s.domain for s in pool)
    by_domain = {}
    for d in sorted(eligible):
        exposures = sum(n for sid, n in seen.items() if domain_of[sid] == d)
        by_domain[d] = {"scenarios": eligible[d], "exposures": exposures,
                        "epochs": round(exposures / eligible[d], 3)}
    out.update({
        "scenarios_eligible": len(pool),
        "scenarios_left_out": dropped,
        "scenarios_seen": len(seen),
        "epochs_per_scenario": round(rows / len(pool), 3) if pool else None,
        "max_exposures_of_one_scenario": max(seen.values()) if seen else 0,
        "by_domain": by_domain,
    })
    return out


def estimate_arm(cfg: TrainConfig, arm: str, processes: int = 1, count_tokens=None) -> dict[str, Any]:
    """Upper-bound policy compute, on the ledger's 'budget' metric (every completion padded to the
    maximum prompt + completion length): 6N per trained token, 2N per generated token, for a run on
    `processes` devices (the per-device batch is multiplied by it, as under `accelerate launch`)."""
    spec = cfg.arm(arm)
    completions = cfg.steps * cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps * processes
    prompts = completions // cfg.num_generations
    tokens = completions * (cfg.max_prompt_length + cfg.max_completion_length)
    n = parameter_count(cfg.model)
    out: dict[str, Any] = {
        "trait_source": spec.trait_source,
        "processes": processes,
        "scaling": "figures are for this many processes; under `accelerate launch` every process adds "
                   "per_device_train_batch_size x gradient_accumulation_steps completions per step",
        "steps": cfg.steps,
        "prompts_per_step": prompts // cfg.steps,
        "prompts": prompts,
        "completions": completions,
        "trait_prompts_expected": round(prompts * cfg.trait_fraction, 1) if spec.trait_source != "none" else 0,
        "trait_exposures": trait_exposures(cfg, arm, prompts, count_tokens),
        "budget_tokens": tokens,
        "parameters": n,
        "policy_flops_budget": float((6 + 2) * n * tokens) if n is not None else None,
    }
    if n is None:
        out["not_estimated"] = {"parameters": parameter_count_error(cfg.model),
                                "policy_flops_budget": "needs the parameter count"}
    return out


def estimate_arms(cfg: TrainConfig, arms: list[str], processes: int = 1) -> dict[str, dict[str, Any]]:
    """estimate_arm for each arm, reading the tokenizer once."""
    counter = _local_token_counter(cfg)
    return {a: estimate_arm(cfg, a, processes, counter) for a in arms}
