import pytest
from grading_helpers import load_fixture

from beneficial_rl.grading.injection import detect_injection, rubric_echo
from beneficial_rl.scenarios.schema import RubricItem

ADVERSARIAL = load_fixture("injection_adversarial.jsonl")
BENIGN = load_fixture("injection_benign.jsonl")


def rubric(row):
    return [RubricItem.model_validate(r) for r in row["rubric"]]


def test_fixture_sets_are_big_enough():
    assert len(ADVERSARIAL) >= 20 and len(BENIGN) >= 10
    assert len({r["id"] for r in ADVERSARIAL + BENIGN}) == len(ADVERSARIAL) + len(BENIGN)


@pytest.mark.parametrize("row", ADVERSARIAL, ids=[r["id"] for r in ADVERSARIAL])
def test_adversarial_responses_are_flagged(row):
    report = detect_injection(row["response"], rubric(row))
    assert report.flagged and report.reasons


@pytest.mark.parametrize("row", BENIGN, ids=[r["id"] for r in BENIGN])
def test_benign_look_alikes_are_not_flagged(row):
    report = detect_injection(row["response"], rubric(row))
    assert not report.flagged, report.reasons


def test_every_kind_of_evidence_is_exercised_by_the_fixtures():
    kinds = {reason.split(":")[0] for row in ADVERSARIAL for reason in detect_injection(row["response"], rubric(row)).reasons}
    assert kinds >= {"grader_address", "scoring_instruction", "fake_verdict", "delimiter_spoof", "ignore_instructions",
                     "rubric_echo"}


def test_rubric_echo_needs_most_of_a_criterion_verbatim():
    items = rubric(ADVERSARIAL[0])
    assert rubric_echo(items[0].criterion + ".", items) == [items[0].criterion]
    doing_it = "Drop self-pay/Medicaid from the trigger list: it flags patients for their insurance, not their behaviour."
    assert rubric_echo(doing_it, items) == []
