"""Attack results gathered across arms from the files the attacks write: retention and dose loss on
the items every arm shares, with each arm's difference from the baseline."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from beneficial_rl.analysis.attacks import collect_attacks
from beneficial_rl.persistence.attack import FINETUNE_RESULT, PERSONA_RESULT, dose_eval_dir
from beneficial_rl.utils.io import atomic_write_jsonl


def _rows(scores, prefix="i"):
    return [{"id": f"{prefix}{k}", "score": s, "refusal": False} for k, s in enumerate(scores)]


def _cfg(tmp_path):
    return SimpleNamespace(run_dir=tmp_path, include_pre_rl=False, arms=["beneficial", "baseline"], baseline="baseline",
                           attacks=SimpleNamespace(persona=SimpleNamespace(personas=["harmful_medical"], evals=["e"])),
                           report=SimpleNamespace(seed=0))


def test_retention_and_dose_compared_on_shared_items(tmp_path):
    root = tmp_path / "attacks"
    attacked = {"beneficial": [1.0] * 16 + [0.0] * 4, "baseline": [1.0] * 6 + [0.0] * 14}
    for arm in ("beneficial", "baseline"):
        ev = root / arm / "persona" / "evals"
        clean = _rows([1.0] * 20) + (_rows([1.0], prefix="only-here") if arm == "beneficial" else [])
        atomic_write_jsonl(ev / "e.jsonl", clean)
        atomic_write_jsonl(ev / "e+harmful_medical.jsonl", _rows(attacked[arm]))
        (root / arm / "persona" / PERSONA_RESULT).write_text(json.dumps(
            {"evals": ["e"], "retention": {"harmful_medical": {"retention": 0.5}}}))
        ft = root / arm / "finetune"
        atomic_write_jsonl(dose_eval_dir(ft, 0) / "e.jsonl", _rows([1.0] * 20))
        atomic_write_jsonl(dose_eval_dir(ft, 8) / "e.jsonl", _rows(attacked[arm]))
        (ft / FINETUNE_RESULT).write_text(json.dumps({"evals": ["e"], "doses": [{"dose": 0}, {"dose": 8}]}))
    out = collect_attacks(_cfg(tmp_path))
    rc = out["retention_comparison"]["harmful_medical"]
    assert rc["n"] == 20  # the item only one arm has is left out
    assert rc["arms"]["beneficial"]["retention"] == pytest.approx(0.8)
    assert rc["arms"]["baseline"]["retention"] == pytest.approx(0.3)
    diff = rc["differences"]["beneficial"]
    assert diff["delta"] == pytest.approx(0.5) and 0 < diff["ci_low"] < 0.5 < diff["ci_high"]
    dc = out["dose_comparison"]
    loss8 = next(d for d in dc["arms"]["baseline"] if d["dose"] == 8)
    assert loss8["loss"] == pytest.approx(0.7)
    d8 = next(d for d in dc["differences"]["beneficial"] if d["dose"] == 8)
    assert d8["delta_loss"] == pytest.approx(0.2 - 0.7) and d8["ci_high"] < 0
