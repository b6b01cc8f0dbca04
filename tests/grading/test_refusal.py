import asyncio
import re

import pytest
from refusal_cases import CASES

from beneficial_rl.grading import JudgeConfig, make_refusal_classifier
from beneficial_rl.grading.refusal import JudgeRefusalClassifier, OfflineRefusalClassifier, RefusalClassifier
from beneficial_rl.testing.fake_openai import FakeReply

LABELS = {response: label for _, response, label in CASES}
_RESPONSE = re.compile(r"BEGIN RESPONSE (\w+)\n(.*)\nEND RESPONSE \1", re.S)


def test_enough_hand_written_cases_of_both_kinds():
    assert len(CASES) >= 30
    assert sum(label for *_, label in CASES) >= 12 and sum(not label for *_, label in CASES) >= 12


@pytest.mark.parametrize("request_text,response,label", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_offline_classifier(request_text, response, label):
    clf = OfflineRefusalClassifier()
    assert asyncio.run(clf.classify([{"role": "user", "content": request_text}], response)) is label


def test_both_implement_the_interface():
    assert isinstance(OfflineRefusalClassifier(), RefusalClassifier)
    assert isinstance(JudgeRefusalClassifier(JudgeConfig(model="openai-api/fake/judge", cache=False)), RefusalClassifier)
    assert isinstance(make_refusal_classifier("offline"), OfflineRefusalClassifier)


def oracle(req):
    """A judge that labels the fenced response correctly (and shows the prompt carried it as data)."""
    response = _RESPONSE.search(req.prompt).group(2)
    p = 0.9 if LABELS[response] else 0.1
    return FakeReply(f'Considering it.\n{{"refused": {"true" if p > 0.5 else "false"}}}', p)


def test_judge_classifier_on_all_cases(fake_server):
    fake = fake_server(script=oracle)
    clf = make_refusal_classifier(JudgeConfig(model="openai-api/fake/judge", cache=False, role="eval"))

    async def run():
        return await asyncio.gather(*(clf.classify([{"role": "user", "content": q}], r) for q, r, _ in CASES))

    assert asyncio.run(run()) == [label for *_, label in CASES]
    assert fake.requests == len(CASES) and clf.fallbacks == 0
    assert asyncio.run(clf.probability([{"role": "user", "content": CASES[0][0]}], CASES[0][1])) == pytest.approx(0.9)


def test_judge_failure_falls_back_to_offline_and_is_counted(fake_server):
    fake_server(script=lambda r: "I would rather not give a verdict.")
    clf = JudgeRefusalClassifier(JudgeConfig(model="openai-api/fake/judge", cache=False, max_retries=1, dense="none"))
    q, r, label = CASES[0]
    assert asyncio.run(clf.classify([{"role": "user", "content": q}], r)) is label
    assert clf.fallbacks == 1 and clf.stats.malformed == 2
