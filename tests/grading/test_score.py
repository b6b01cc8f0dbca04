import pytest

from beneficial_rl.grading.base import GradeResult, ItemVerdict, score
from beneficial_rl.scenarios.schema import RubricItem


def items(*points):
    return [RubricItem(criterion=f"criterion number {k}", points=p) for k, p in enumerate(points)]


def test_all_positive_met_is_one_and_none_met_is_zero():
    assert score(items(5, 3), [1, 1]) == 1.0
    assert score(items(5, 3), [0, 0]) == 0.0


def test_partial_credit_over_positive_points_only():
    assert score(items(5, 3, -4), [1, 0, 0]) == pytest.approx(5 / 8)


def test_met_negative_item_subtracts_and_clips_at_zero():
    assert score(items(5, 3, -4), [1, 1, 1]) == pytest.approx(4 / 8)
    assert score(items(2, -10), [1, True]) == 0.0


def test_clipped_at_one_and_bools_and_probabilities_accepted():
    assert score(items(2, 2), [True, 0.5]) == pytest.approx(0.75)
    assert score(items(2), [1.0]) == 1.0


def test_dense_probabilities_are_linear():
    assert score(items(4, -2), [0.5, 0.5]) == pytest.approx((2 - 1) / 4)


def test_no_positive_points_is_none():
    assert score(items(-3, -1), [0, 0]) is None
    assert score([], []) is None


def test_any_missing_verdict_excludes_the_sample():
    assert score(items(5, 3), [1, None]) is None


def test_length_mismatch_is_a_bug_not_a_score():
    with pytest.raises(ValueError):
        score(items(5, 3), [1])


def test_result_row_keeps_per_item_verdicts():
    r = GradeResult("x", 0.5, [ItemVerdict("criterion number 0", 2.0, 0.5, "why", "judge:logprobs")], protocol="abc")
    row = r.to_row()
    assert row["verdicts"][0] == {"criterion": "criterion number 0", "points": 2.0, "met": 0.5, "reasoning": "why",
                                  "source": "judge:logprobs"}
    assert row["protocol"] == "abc" and row["score"] == 0.5
