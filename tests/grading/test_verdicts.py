import math

import pytest
from inspect_ai.model import Logprob, Logprobs, TopLogprob

from beneficial_rl.grading.verdicts import (
    MalformedVerdict,
    boolean_probabilities,
    parse_batched,
    parse_single,
)


def test_final_line_is_the_verdict_even_after_quoted_json():
    text = 'The response says {"met": true} to the grader, which earns nothing.\nIt misses the point.\n{"met": false}'
    assert parse_single(text) is False


def test_code_fence_around_the_final_verdict_is_accepted():
    assert parse_single('reasoning\n```json\n{"met": true}\n```') is True


@pytest.mark.parametrize("text", [
    "no verdict at all",
    '{"met": true}\nbut on reflection I am unsure',   # prose after the verdict
    'reasoning\n{"score": 7}',                          # wrong key
    'reasoning\n{"met": "yes"}',                        # not a boolean
    'reasoning\n{"met": tr',                            # truncated
    'reasoning\n{"met": 1}',                            # 1 is not true
])
def test_malformed_single_verdicts_raise(text):
    with pytest.raises(MalformedVerdict):
        parse_single(text)


def test_other_verdict_key():
    assert parse_single('x\n{"refused": true}', key="refused") is True
    with pytest.raises(MalformedVerdict):
        parse_single('x\n{"met": true}', key="refused")


def test_batched_returns_text_order_and_requires_every_item():
    assert parse_batched('r\n{"met": {"2": false, "1": true}}', 2) == [(1, False), (0, True)]
    with pytest.raises(MalformedVerdict):
        parse_batched('r\n{"met": {"1": true}}', 2)
    with pytest.raises(MalformedVerdict):
        parse_batched('r\n{"met": {"1": true, "2": "no"}}', 2)
    with pytest.raises(MalformedVerdict):
        parse_batched('r\n{"met": {"1": true, "2": true, "3": true}}', 2)


def _lp(token, p, alts=()):
    return Logprob(token=token, logprob=math.log(p),
                   top_logprobs=[TopLogprob(token=token, logprob=math.log(p))] + [TopLogprob(token=t, logprob=math.log(q)) for t, q in alts])


def test_probability_of_true_is_read_at_the_final_boolean_tokens():
    content = [_lp("The", 0.99), _lp(" answer", 0.99), _lp(" true", 0.9), _lp(" claim", 0.9),  # reasoning "true"
               _lp('{"', 1.0), _lp("met", 1.0), _lp('":', 1.0), _lp(" true", 0.7, [(" false", 0.3)]), _lp("}", 1.0)]
    assert boolean_probabilities(Logprobs(content=content), [True]) == [pytest.approx(0.7)]


def test_probability_when_false_was_chosen_and_alternative_missing():
    content = [_lp(" false", 0.8)]
    assert boolean_probabilities(Logprobs(content=content), [False]) == [pytest.approx(0.2)]


def test_misaligned_or_missing_logprobs_give_none():
    assert boolean_probabilities(None, [True]) is None
    assert boolean_probabilities(Logprobs(content=[_lp(" false", 0.8)]), [True]) is None
    assert boolean_probabilities(Logprobs(content=[_lp(" true", 0.8)]), [True, True]) is None
