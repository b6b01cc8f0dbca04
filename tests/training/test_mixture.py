"""The mixture: trait share at the requested rate, arms that differ only where they should."""

from __future__ import annotations

import json
import math

import pytest
from training_helpers import make_scenario, make_scenarios

from beneficial_rl.errors import BrlError, DataError
from beneficial_rl.training.config import BUILTIN_ARMS, ArmConfig, TrainConfig, load_train_config
from beneficial_rl.training.mixture import build_mixture, trait_positions
from beneficial_rl.training.tasks.helpfulness import GENERIC_RUBRIC


def words(messages: list[dict]) -> int:
    """A stand-in token counter: mixture logic does not depend on the tokenizer."""
    return sum(len(m["content"].split()) for m in messages)


CFG = TrainConfig(seed=3, max_prompt_length=400)


def mix(arm: str, n: int = 400, cfg: TrainConfig = CFG, scenarios=None):
    return build_mixture(cfg, cfg.arm(arm), make_scenarios() if scenarios is None else scenarios, n, words)


@pytest.mark.parametrize("fraction", [0.05, 0.1, 0.37])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trait_positions_hit_the_rate_in_every_prefix(fraction: float, seed: int) -> None:
    pos = trait_positions(2000, fraction, seed)
    for n in (20, 100, 733, 2000):
        assert abs(sum(pos[:n]) - n * fraction) < 1  # systematic sampling: within one row of n*f
    assert trait_positions(500, fraction, seed) == pos[:500]  # prefix-stable: extending a run keeps its data
    assert trait_positions(100, 0.0, seed) == [False] * 100


def test_realized_rate_within_sampling_error_of_requested() -> None:
    n = 1000
    m = mix("beneficial", n)
    realized = m.summary["trait_slice_fraction"]
    # binomial standard error at 5% of 1000 prompts is 0.0069; systematic sampling does far better
    assert abs(realized - 0.05) <= 3 * math.sqrt(0.05 * 0.95 / n)
    assert m.summary["trait_slice_rows"] == sum(r["source"] == "trait" for r in m.rows)


def test_beneficial_and_baseline_share_every_standard_row() -> None:
    ben, base = mix("beneficial"), mix("compute_matched_baseline")
    assert len(ben.rows) == len(base.rows) == 400
    trait_rows = [i for i, r in enumerate(ben.rows) if r["source"] == "trait"]
    assert len(trait_rows) == 20
    for i, (a, b) in enumerate(zip(ben.rows, base.rows, strict=True)):
        if i in trait_rows:
            assert b["source"] == "standard" and b["item_id"].startswith("replacement:")
        else:
            assert a == b
    assert base.summary["trait_slice_rows"] == 0


def test_helpfulness_control_changes_only_the_reward() -> None:
    ben, ctl = mix("beneficial"), mix("helpfulness_control")
    generic = [i.criterion for i in GENERIC_RUBRIC]
    for a, b in zip(ben.rows, ctl.rows, strict=True):
        if a["source"] == "trait":
            assert b["source"] == "control" and b["item_id"] == a["item_id"] and b["prompt"] == a["prompt"]
            assert [r["criterion"] for r in json.loads(b["target"])] == generic
            assert json.loads(a["target"]) != json.loads(b["target"])
        else:
            assert a == b


def test_domain_arms_filter_the_trait_slice() -> None:
    health = mix("health_only")
    assert set(health.summary["by_domain"]) == {"health"}
    no_hs = mix("no_health_no_science")
    assert no_hs.summary["by_domain"] and not set(no_hs.summary["by_domain"]) & {"health", "science"}
    assert no_hs.summary["trait_scenarios_left_out"]["filtered_by_arm"] == 12


def test_user_arm_trait_filter_and_no_eligible_scenarios() -> None:
    cfg = TrainConfig(arms=[ArmConfig(name="only_truth", trait_source="rubric", include_traits=["truthfulness"])])
    m = build_mixture(cfg, cfg.arm("only_truth"), make_scenarios(), 200, words)
    assert set(m.summary["by_trait"]) == {"truthfulness"}
    cfg = TrainConfig(arms=[ArmConfig(name="art", trait_source="rubric", include_domains=["art"])])
    with pytest.raises(BrlError, match="no trait scenarios"):
        build_mixture(cfg, cfg.arm("art"), make_scenarios(), 200, words)


def test_eval_scenarios_are_refused() -> None:
    with pytest.raises(BrlError, match="split 'eval'"):
        mix("beneficial", scenarios=[*make_scenarios(4), make_scenario(99, "truthfulness", "health", split="eval")])


def test_items_longer_than_max_prompt_length_are_left_out() -> None:
    cfg = TrainConfig(seed=3, max_prompt_length=25)
    m = build_mixture(cfg, cfg.arm("beneficial"), make_scenarios(), 200, words)
    assert all(r["prompt_tokens"] <= 25 for r in m.rows)
    assert m.summary["standard_prompts_too_long"]
    assert m.summary["trait_slice_rows"] == 10  # the short test scenarios still fit


def test_builtin_arms_and_config_errors(tmp_path) -> None:
    assert set(BUILTIN_ARMS) == {"beneficial", "compute_matched_baseline", "helpfulness_control", "health_only",
                                 "no_health_no_science"}
    with pytest.raises(BrlError, match="unknown arm"):
        TrainConfig().arm("nope")
    with pytest.raises(ValueError, match="unknown domain"):
        ArmConfig(name="x", trait_source="rubric", include_domains=["astrology"])
    with pytest.raises(ValueError, match="set by TrainConfig"):
        TrainConfig(grpo_extra={"learning_rate": 1.0})
    path = tmp_path / "c.yaml"
    path.write_text("steps: -3\n")
    with pytest.raises(DataError, match="c.yaml:steps"):
        load_train_config(path)
    path.write_text("train:\n  steps: 7\n  arms:\n    - {name: science_only, trait_source: rubric, include_domains: [science]}\n")
    cfg = load_train_config(path)
    assert cfg.steps == 7 and cfg.arm("science_only").include_domains == ["science"]


def test_every_field_has_help_text() -> None:
    from beneficial_rl.training.config import DataSource, GenerationSettings, LoraSettings

    for model in (TrainConfig, ArmConfig, DataSource, GenerationSettings, LoraSettings):
        missing = [n for n, f in model.model_fields.items() if not f.description]
        assert not missing, f"{model.__name__}: {missing}"


def test_shipped_configs_load() -> None:
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2] / "configs"
    for path in sorted(root.glob("train_*.yaml")):
        load_train_config(path)
    kinds = {p.stem: yaml.safe_load(p.read_text())["distributed_type"] for p in (root / "accelerate").glob("*.yaml")}
    assert kinds == {"ddp": "MULTI_GPU", "zero2": "DEEPSPEED", "zero3": "DEEPSPEED", "fsdp": "FSDP"}
