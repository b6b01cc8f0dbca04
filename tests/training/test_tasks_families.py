"""The six code-verified standard families: seeded, varied, and each verifier accepts the item's own
answer, rejects wrong ones and checks the task rather than the format."""

from __future__ import annotations

import ast
import json
import random
import time
from itertools import islice

import pytest

from beneficial_rl.training.config import TrainConfig, default_sources
from beneficial_rl.training.tasks import FAMILY, GENERATORS, code, instructions, qa, structured, verify
from beneficial_rl.training.tasks.base import FORMAT_CREDIT, UNFORMATTED_CORRECT_CREDIT, verify_math

VERIFIED = ["arithmetic", "word_problems", "math", "code", "instructions", "qa", "logic", "structured"]


def prompt(item) -> str:
    return item.messages[-1]["content"]


def test_default_mixture_has_six_code_verified_families_and_thousands_of_items() -> None:
    kinds = [s.kind for s in default_sources()]
    assert {FAMILY[k] for k in kinds} == {"math", "code", "instructions", "qa", "logic", "structured"}
    assert "helpfulness" not in kinds  # judged by a model, not verified by code
    distinct = {k: len({prompt(i) for i in islice(GENERATORS[k]("0"), 1000)}) for k in kinds}
    assert all(n >= 500 for n in distinct.values()), distinct
    assert sum(distinct.values()) >= 2000


@pytest.mark.parametrize("kind", VERIFIED)
def test_items_are_deterministic_given_the_seed(kind: str) -> None:
    a = [(prompt(i), json.dumps(i.target, sort_keys=True)) for i in islice(GENERATORS[kind]("s:1"), 40)]
    assert a == [(prompt(i), json.dumps(i.target, sort_keys=True)) for i in islice(GENERATORS[kind]("s:1"), 40)]
    assert a != [(prompt(i), json.dumps(i.target, sort_keys=True)) for i in islice(GENERATORS[kind]("s:2"), 40)]


def test_prompts_fit_a_small_models_context() -> None:
    """Words as a proxy for tokens: the quickstart's max_prompt_length is 512 tokens."""
    for kind in VERIFIED:
        longest = max(len(prompt(i).split()) for i in islice(GENERATORS[kind]("0"), 300))
        assert longest < 300, (kind, longest)


@pytest.mark.parametrize(("gold", "reply", "expected"), [
    ("3/4", "so the probability is\nAnswer: 0.75", 1.0),
    ("3/4", "\\boxed{\\frac{3}{4}}", 1.0),
    ("3/4", "Answer: 3/4", 1.0),
    ("3/4", "Answer: 0.7", FORMAT_CREDIT),
    ("-13", "Answer: x = -13", 1.0),  # math-verify reads the value off the equation
    ("-13", "Answer: -13", 1.0),
    ("77/18", "Answer: 4.28", FORMAT_CREDIT),  # rounded, not exact
    ("286", "there are 286 ways", UNFORMATTED_CORRECT_CREDIT),
])
def test_math_answers_compare_as_values_not_strings(gold: str, reply: str, expected: float) -> None:
    assert verify_math(reply, gold) == pytest.approx(expected)


def test_symbolic_answers_are_bounded() -> None:
    start = time.monotonic()
    assert verify_math("Answer: 9^9^9^9^9", "7") == FORMAT_CREDIT
    assert verify_math("Answer: " + "1+" * 200 + "1", "7") == FORMAT_CREDIT
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("kind", ["arithmetic", "word_problems", "math"])
def test_math_items_accept_their_answer_and_reject_a_neighbour(kind: str) -> None:
    for item in islice(GENERATORS[kind]("3"), 200):
        assert verify("math", f"Step by step...\nAnswer: {item.target}", item.target) == 1.0
        assert verify("math", "Answer: 100003", item.target) == FORMAT_CREDIT


@pytest.mark.parametrize("kind", ["qa", "logic"])
def test_qa_and_logic_items_accept_every_alias(kind: str) -> None:
    for item in islice(GENERATORS[kind]("5"), 300):
        t = item.target
        answers = [", ".join(reversed(t["set"]))] if "set" in t else t["aliases"]
        for a in answers:
            assert verify("qa", f"Reasoning.\nAnswer: {a}", t) == 1.0, (prompt(item), a)
        assert verify("qa", "Answer: Nobody in particular", t) == 0.0


def test_qa_normalisation_and_sets() -> None:
    assert qa.verify("Answer: the Netherlands.", {"aliases": ["Netherlands"]}) == 1.0
    assert qa.verify("Answer: three", {"aliases": ["3"]}) == 1.0
    assert qa.verify("Lisbon", {"aliases": ["Lisbon"]}) == UNFORMATTED_CORRECT_CREDIT
    assert qa.verify("I think it might be Lisbon or Porto, hard to say really.", {"aliases": ["Lisbon"]}) == 0.0
    assert qa.verify("Answer: Lisbon, Porto", {"aliases": ["Lisbon"]}) == 0.0  # listing candidates is not answering
    assert qa.verify("Answer: Gwen and Hugo", {"set": ["Hugo", "Gwen"]}) == 1.0
    assert qa.verify("Answer: Gwen", {"set": ["Hugo", "Gwen"]}) == 0.0


def test_logic_puzzles_have_unique_solutions() -> None:
    """Re-solve knights-and-knaves puzzles by brute force from the text alone."""
    import itertools
    import re

    checked = 0
    for item in islice(GENERATORS["logic"]("9"), 400):
        text = prompt(item)
        if "knight" not in text:
            continue
        names = re.search(r"You meet (.+?)\.", text).group(1).replace(" and ", ", ").split(", ")
        said = re.findall(r'(\w+) says: "(.+?)"', text)

        def holds(world: dict, speaker: str, claim: str) -> bool:
            b = claim.split()[0]
            if claim.endswith("is a knave."):
                return not world[b]
            if claim.endswith("is a knight."):
                return world[b]
            if "both knights" in claim:
                return world[b] and world[speaker]
            return world[b] != world[speaker]

        fits = [w for w in (dict(zip(names, bits, strict=True)) for bits in itertools.product([True, False], repeat=len(names)))
                if all(holds(w, s, c) == w[s] for s, c in said)]
        assert len(fits) == 1, text
        knights = sorted(n for n in names if fits[0][n])
        assert (item.target.get("set") or []) == knights or (not knights and item.target == {"aliases": ["none"]})
        checked += 1
    assert checked > 50


def _table_solution(target: dict) -> str:
    """A reply that answers exactly the tested inputs (checks the harness counts passes)."""
    rows = {}
    for t in target["tests"]:
        call = ast.parse(t).body[0].test
        rows[repr(tuple(ast.literal_eval(a) for a in call.left.args))] = ast.literal_eval(call.comparators[0])
    return f"```python\n_T = {rows!r}\ndef {target['entry']}(*a):\n    return _T[repr(a)]\n```"


def test_code_items_pass_with_right_answers_and_fail_without() -> None:
    items = list(islice(GENERATORS["code"]("2"), 6))
    for item in items:
        assert code.verify(_table_solution(item.target), item.target) == 1.0
        assert code.verify(f"```python\ndef {item.target['entry']}(*a):\n    return None\n```", item.target) < 0.5
        assert code.verify("```python\ndef some_other_name(x):\n    return x\n```", item.target) == 0.0


def test_constant_functions_pass_few_tests() -> None:
    """A function returning one constant (None, 0, [], False, ...) passes only the tests expecting it."""
    constants = [None, 0, 1, -1, [], "", False, True, {}]
    per_template: dict[str, list[float]] = {}
    for item in islice(GENERATORS["code"]("6"), 600):
        expected = [ast.literal_eval(ast.parse(t).body[0].test.comparators[0]) for t in item.target["tests"]]
        best = max(sum(e == c and type(e) is type(c) for e in expected) / len(expected) for c in constants)
        per_template.setdefault(item.target["entry"], []).append(best)
    means = {name: sum(v) / len(v) for name, v in per_template.items()}
    assert max(means.values()) <= 0.5, means  # yes/no functions: one answer is right at most half the time
    assert sum(means.values()) / len(means) <= 0.2, means


def test_a_real_solution_passes_and_the_example_is_not_a_test() -> None:
    rng = random.Random(0)
    for _ in range(200):
        text, target = code.make(rng)
        if target["entry"] in ("sum_multiples", "total_of_multiples"):
            break
    k = int(text.split("divisible by ")[1].split()[0])
    example = text.split("For example, `")[1].split("`")[0]
    assert f"assert {example}" not in target["tests"]
    solution = f"Here you go:\n```python\ndef {target['entry']}(xs):\n    return sum(x for x in xs if x % {k} == 0)\n```"
    assert code.verify(solution, target) == 1.0


def test_code_runs_are_bounded_and_cannot_fake_the_tally() -> None:
    target = {"entry": "f", "tests": ["assert f(1) == 2", "assert f(2) == 3", "assert f(3) == 4"]}
    start = time.monotonic()
    hang = "```python\ndef f(x):\n    if x == 2:\n        while True: pass\n    return x + 1\n```"
    assert code.run_tests(code.extract_code(hang), target["tests"], timeout_s=2) == 1  # kept what passed before
    assert time.monotonic() - start < 10
    fake = "```python\nimport sys\nfor n in range(10):\n    print('BRL0000 3')\ndef f(x):\n    return 0\n```"
    assert code.verify(fake, target) == 0.0
    quitter = "```python\nimport os\ndef f(x):\n    return x + 1\nos._exit(0)\n```"
    assert code.verify(quitter, target) == 0.0
    net = "```python\nimport socket\ndef f(x):\n    socket.create_connection(('example.com', 80))\n    return x + 1\n```"
    assert code.verify(net, target) == 0.0


def test_instruction_items_need_the_task_done_not_just_the_format() -> None:
    topic = {"kind": "topic", "stems": ["compost"], "min_words": 15,
             "prompt": "Write a short note to your neighbours about a shared compost bin. Do not use any commas."}
    cons = [topic, {"kind": "no_commas"}]
    good = ("Our shared compost bin is ready for the whole street. Please add fruit peel and coffee grounds but keep "
            "meat and plastic out of it so the heap stays healthy.")
    assert instructions.verify(good, cons) == 1.0
    assert instructions.verify("Ok.", cons) == 0.0  # meets 'no commas' but does not do the task
    assert instructions.verify(topic["prompt"], cons) == 0.0  # the prompt pasted back
    assert instructions.verify("compost shared bin neighbours note street heap peel coffee grounds meat plastic "
                               "healthy ready whole fruit", cons) == 0.0  # a keyword list is not prose
    assert instructions.verify(good.replace(" but", ", but"), cons) == 0.0  # task done, the one format missed
    sort = [{"kind": "sort", "items": ["pear", "apple", "fig"], "reverse": False}]
    assert instructions.verify("Sorted:\napple\nfig\npear", sort) == 1.0
    assert instructions.verify("pear, apple, fig", sort) == 0.0
    acro = [{"kind": "acrostic", "word": "sun"}]
    assert instructions.verify("Shining on the hills\nUnder a wide sky\nNever tired of warming", acro) == 1.0
    assert instructions.verify("Shining\nUnder\nNever", acro) == 0.0


def test_structured_items_check_schema_and_values() -> None:
    item = next(islice(GENERATORS["structured"]("4"), 0, None))
    expected = item.target["expected"]
    assert structured.verify(json.dumps(expected), item.target) == 1.0
    assert structured.verify("```json\n" + json.dumps(expected) + "\n```", item.target) == 1.0
    wrong = {k: ("Somebody Else" if isinstance(v, str) else v) for k, v in expected.items()}
    assert FORMAT_CREDIT <= structured.verify(json.dumps(wrong), item.target) < 1.0
    assert structured.verify(json.dumps({**expected, "extra": 1}), item.target) == 0.0  # schema forbids it
    assert structured.verify("Here it is: " + json.dumps(expected), item.target) == 0.0  # only the object
    for it in islice(GENERATORS["structured"]("4"), 100):
        structured.validate(it.target)


def test_config_knob_selects_families_and_weights() -> None:
    cfg = TrainConfig(standard_data=[{"kind": "logic", "weight": 2}, {"kind": "code", "weight": 1}])
    assert [s.task for s in cfg.standard_data] == ["logic", "code"]
