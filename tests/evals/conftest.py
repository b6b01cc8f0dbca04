import re

import pytest

from beneficial_rl.evals.context import EvalContext
from beneficial_rl.grading.base import GradeResult, ItemVerdict, score


class ScriptedGrader:
    """Marks an item met when its criterion's first word appears in the response; fails on 'FAIL'."""

    name = "scripted"
    approximate = False

    def __init__(self):
        self.calls = 0

    async def grade(self, requests):
        out = []
        for r in requests:
            self.calls += 1
            if "FAIL" in r.messages[-1]["content"]:
                out.append(GradeResult(r.id, None, failures=1, grader=self.name))
                continue
            met = [float(i.criterion.split()[0].lower() in r.response.lower()) for i in r.rubric]
            out.append(GradeResult(r.id, score(r.rubric, met),
                                   [ItemVerdict(i.criterion, i.points, m) for i, m in zip(r.rubric, met)],
                                   grader=self.name))
        return out


class ScriptedRefusal:
    async def classify(self, messages, response):
        return bool(re.search(r"\bcan'?t help\b", response, re.I))


@pytest.fixture
def ctx():
    return EvalContext(grader=ScriptedGrader(), refusal=ScriptedRefusal(), max_tokens=8)
