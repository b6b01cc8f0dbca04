import numpy as np
import pytest

from beneficial_rl.analysis.stats import (
    Paired,
    benjamini_hochberg,
    bootstrap_ci,
    compare,
    compare_arms,
    headline,
    pair_scores,
    sign_flip_p,
)


def rows(scores, refusals=None, prefix="i"):
    refusals = refusals or [False] * len(scores)
    return [{"id": f"{prefix}{k}", "score": s, "refusal": r} for k, (s, r) in enumerate(zip(scores, refusals, strict=True))]


def test_pairing_uses_only_items_scored_in_both_arms():
    base = rows([0.0, 0.5, None, 1.0])
    treat = rows([1.0, None, 1.0, 1.0])
    b, t, ids = pair_scores(base, treat)
    assert ids == ["i0", "i3"] and b.tolist() == [0.0, 1.0] and t.tolist() == [1.0, 1.0]


def test_refusal_controlled_pairs_drop_any_refusal():
    base = rows([0, 1, 1], refusals=[True, False, False])
    treat = rows([1, 1, 0], refusals=[False, True, False])
    _, _, ids = pair_scores(base, treat, skip_refusals=True)
    assert ids == ["i2"]


def test_sign_flip_exact_hand_computed():
    # diffs (1, 1, 1): of the 8 sign patterns only +++ and --- reach |mean| = 1, so p = 2/8
    assert sign_flip_p(np.array([1.0, 1.0, 1.0])) == pytest.approx(0.25)
    # diffs (1, 0): patterns give |mean| 0.5 always -> p = 1
    assert sign_flip_p(np.array([1.0, 0.0])) == pytest.approx(1.0)
    assert sign_flip_p(np.zeros(5)) == 1.0


def test_bootstrap_ci_brackets_mean_and_degenerates_on_constant():
    d = np.array([0.1] * 10)
    assert bootstrap_ci(d) == pytest.approx((0.1, 0.1))
    d = np.random.default_rng(1).normal(0.3, 1.0, 200)
    lo, hi = bootstrap_ci(d)
    assert lo < d.mean() < hi and hi - lo == pytest.approx(2 * 1.96 * d.std() / np.sqrt(200), rel=0.15)


def test_compare_direction_and_strong_effect():
    base, treat = rows([0.0] * 30), rows([1.0] * 30)
    r = compare("e", base, treat)
    assert r.delta == 1.0 and r.ci_low == 1.0 and r.p_value < 1e-3


def test_bh_hand_computed_ordering():
    # p = 0.01, 0.04, 0.03, 0.20 -> sorted 0.01, 0.03, 0.04, 0.20; BH q = p*m/rank, then cumulative min
    # from the top: 0.20*4/4=0.20; 0.04*4/3=0.0533; 0.03*4/2=0.06 -> min(0.06,0.0533)=0.0533; 0.01*4=0.04
    ps = [0.01, 0.04, 0.03, 0.20]
    res = [Paired(f"e{i}", 10, 0, 0, 0.1, 0, 0, p) for i, p in enumerate(ps)]
    benjamini_hochberg(res, alpha=0.05)
    assert [round(r.q_value, 4) for r in res] == [0.04, 0.0533, 0.0533, 0.2]
    assert [r.significant for r in res] == [True, False, False, False]


def test_headline_counts():
    base = {"a": rows([0] * 20), "b": rows([1] * 20), "c": rows([0.5] * 20)}
    treat = {"a": rows([1] * 20), "b": rows([0.9] * 20), "c": rows([0.5] * 20)}
    h = headline(compare_arms(base, treat))
    assert (h.evaluations, h.improved, h.significant_improved, h.significant_worse) == (3, 1, 1, 1)
    assert h.mean_points == pytest.approx(100 * (1 - 0.1 + 0) / 3)
    assert h.sentence().startswith("improved on 1 of 3 out-of-distribution evaluations, 1 significant after FDR, "
                                   "1 significantly worse, mean +30.0")
    assert h.eval_ids == ["a", "b", "c"] and h.family == "ood"


def test_weighted_rows_pool_their_units():
    # IFEval-style: prompt a has 1 instruction, prompt b has 3; scores are shares of instructions followed
    base = [{"id": "a", "score": 0.0, "weight": 1}, {"id": "b", "score": 0.0, "weight": 3}]
    treat = [{"id": "a", "score": 1.0, "weight": 1}, {"id": "b", "score": 1 / 3, "weight": 3}]
    r = compare("ifeval", base, treat)
    # pooled: (1 + 1) instructions followed of 4 = 0.5, not the per-prompt mean (1 + 1/3) / 2 = 0.667
    assert r.treatment_mean == pytest.approx(0.5) and r.delta == pytest.approx(0.5)
    from beneficial_rl.evals.runner import weighted_mean

    assert weighted_mean(treat) == pytest.approx(0.5)
