"""Which numbers go into which sentence: hand-computed fixtures, no model."""

import pytest

from beneficial_rl.analysis.compare import compare_pair
from beneficial_rl.persistence.metrics import dose_across_arms, retention_across_arms
from beneficial_rl.training.ledger import check_compute_match


def rows(scores, refusals=None, prefix="i"):
    refusals = refusals or [False] * len(scores)
    return [{"id": f"{prefix}{k}", "score": s, "refusal": r} for k, (s, r) in enumerate(zip(scores, refusals, strict=True))]


META = {
    "ood_up": {"role": "ood", "domains": ["health"]},
    "ood_down": {"role": "ood", "domains": []},
    "ood_flat": {"role": "ood", "domains": ["science"]},
    "harm_refusal": {"role": "ood", "refusal_scored": True},
    "held_out_truthfulness": {"role": "held_out_trait"},
    "held_out_corrigibility": {"role": "held_out_trait"},
    "gsm8k": {"role": "capability"},
    "held_out_trait_judge": {"role": "diagnostic"},
}


def arms():
    n = 20
    base = {"ood_up": rows([0.0] * n), "ood_down": rows([1.0] * n), "ood_flat": rows([0.5] * n),
            "harm_refusal": rows([0.0] * 10 + [1.0] * 10, refusals=[False] * 10 + [True] * 10),
            "held_out_truthfulness": rows([0.4] * n), "held_out_corrigibility": rows([0.4] * n),
            "gsm8k": rows([0.5] * n), "held_out_trait_judge": rows([0.2] * n), "only_in_base": rows([1.0] * n)}
    treat = {"ood_up": rows([1.0] * n), "ood_down": rows([0.0] * n), "ood_flat": rows([0.5] * n),
             "harm_refusal": rows([1.0] * n, refusals=[True] * n),
             "held_out_truthfulness": rows([0.6] * n), "held_out_corrigibility": rows([0.8] * n),
             "gsm8k": rows([0.5] * n), "held_out_trait_judge": rows([1.0] * n)}
    return base, treat


def test_headline_counts_ood_only_and_names_worse_and_missing():
    base, treat = arms()
    c = compare_pair(base, treat, META | {"only_in_base": {"role": "ood"}})
    h = c["headline"]
    assert h["family"] == "ood" and sorted(h["eval_ids"]) == ["harm_refusal", "ood_down", "ood_flat", "ood_up"]
    assert (h["evaluations"], h["improved"], h["significant_improved"], h["significant_worse"]) == (4, 2, 2, 1)
    # mean of deltas +100, -100, 0, +50 (refusal-scored eval: 0 -> 1 on half, 1 -> 1 on half) = +12.5 points
    assert h["mean_points"] == pytest.approx(12.5)
    assert c["sentence"] == ("improved on 2 of 4 out-of-distribution evaluations, 2 significant after FDR, "
                             "1 significantly worse, mean +12.5 points")
    assert c["missing"] == [{"eval": "only_in_base", "missing_in": "treatment"}]
    # the other families never leak into the headline, and each has its own table
    assert [r["eval"] for r in c["capability"]["results"]] == ["gsm8k"]
    assert [r["eval"] for r in c["diagnostic"]["results"]] == ["held_out_trait_judge"]
    held = c["held_out_traits"]
    assert sorted(r["eval"] for r in held["results"]) == ["held_out_corrigibility", "held_out_truthfulness"]
    agg = held["aggregate"]
    assert agg["n"] == 40 and agg["baseline_mean"] == pytest.approx(0.4) and agg["treatment_mean"] == pytest.approx(0.7)


def test_refusal_controlled_leaves_out_refusal_scored_evals():
    base, treat = arms()
    rc = compare_pair(base, treat, META)["refusal_controlled"]
    assert rc["applicable"] == ["ood_down", "ood_flat", "ood_up"] and rc["not_applicable"] == ["harm_refusal"]
    assert rc["headline"]["evaluations"] == 3 and rc["sentence"].startswith("on paired non-refusals, 1 of 3 applicable")


def test_transfer_has_trained_excluded_and_no_domain_groups():
    base, treat = arms()
    t = compare_pair(base, treat, META, restricted=True, excluded_domains={"health", "science"})["transfer"]
    assert sorted(t["excluded_domains"]["eval_ids"]) == ["ood_flat", "ood_up"]
    assert sorted(t["no_domain"]["eval_ids"]) == ["harm_refusal", "ood_down"]
    assert t["trained_domains"]["evaluations"] == 0
    t = compare_pair(base, treat, META, restricted=True, trained_domains={"health"})["transfer"]
    assert t["trained_domains"]["eval_ids"] == ["ood_up"] and t["excluded_domains"]["eval_ids"] == ["ood_flat"]


def _ledger(budget, padded, realized):
    per = 1.0
    return {"steps": 2, "shape": {}, "judge": {},
            "policy_compute": {"metric": "padded", "budget_flops": budget * per, "padded_flops": padded * per,
                               "realized_flops": realized * per}}


def test_equal_budget_unequal_processed_tokens_is_not_matched():
    m = check_compute_match({"a": _ledger(1000, 1000, 600), "b": _ledger(1000, 600, 500)}, 0.02, "padded")
    assert not m.matched and m.rel_diff == pytest.approx(0.4)
    assert m.rel_diff_by_metric["budget"] == 0.0
    assert "budget differs by 0.00%" in m.message and "processed (padded) tokens by 40.00%" in m.message


def test_retention_difference_uses_one_item_set_and_has_a_ci():
    clean = rows([1.0] * 30)
    base = (clean, rows([0.0] * 20 + [1.0] * 10))  # keeps 1/3
    treat = (clean + rows([1.0], prefix="extra"), rows([1.0] * 25 + [0.0] * 5))  # keeps 5/6; extra item not shared
    out = retention_across_arms({"baseline": base, "beneficial": treat}, "baseline")
    assert out["n"] == 30
    assert out["arms"]["baseline"]["retention"] == pytest.approx(1 / 3)
    d = out["differences"]["beneficial"]
    assert d["delta"] == pytest.approx(5 / 6 - 1 / 3) and d["ci_low"] > 0 and d["ci_high"] < 1


def test_dose_loss_against_dose_zero_and_between_arms():
    per_arm = {"baseline": {0: rows([1.0] * 20), 8: rows([0.0] * 10 + [1.0] * 10)},
               "beneficial": {0: rows([1.0] * 20), 8: rows([0.0] * 2 + [1.0] * 18)}}
    out = dose_across_arms(per_arm, "baseline")
    b8 = next(d for d in out["arms"]["baseline"] if d["dose"] == 8)
    assert b8["loss"] == pytest.approx(0.5) and b8["ci_low"] <= 0.5 <= b8["ci_high"]
    (d0, d8) = out["differences"]["beneficial"]
    assert d0["delta_loss"] == 0 and d8["delta_loss"] == pytest.approx(0.1 - 0.5) and d8["ci_high"] < 0
