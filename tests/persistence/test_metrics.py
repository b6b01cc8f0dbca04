import pytest

from beneficial_rl.persistence.metrics import degradation, retention, steering_difference


def rows(scores):
    return [{"id": f"i{k}", "score": s} for k, s in enumerate(scores)]


def test_retention_hand_computed():
    r = retention(rows([0.4, 0.4, 0.4, 0.4]), rows([0.1, 0.2, 0.1, 0.2]))
    assert r["retention"] == pytest.approx(0.15 / 0.4)
    assert r["ci_low"] <= r["retention"] <= r["ci_high"]


def test_retention_ignores_items_missing_in_either_condition():
    r = retention(rows([1.0, None, 0.5]), rows([0.5, 1.0, None]))
    assert r["n"] == 1 and r["retention"] == 0.5


def test_steering_difference_zero_when_both_arms_shift_alike():
    s = steering_difference(rows([0.5] * 6), rows([0.7] * 6), rows([0.3] * 6), rows([0.5] * 6))
    assert s["delta"] == pytest.approx(0.0) and s["treatment_shift"] == pytest.approx(0.2)


def test_degradation():
    d = degradation(rows([0.8, 0.6]), rows([0.4, 0.4]))
    assert d["loss"] == pytest.approx(0.3) and d["mean"] == pytest.approx(0.4)
