"""The shape every standard RL task produces, and the answer formats shared by several tasks."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

RewardKind = Literal["math", "constraints", "rubric", "code", "qa", "json"]

ANSWER_INSTRUCTION = "Work it out step by step, then finish with a final line of the form 'Answer: <number>'."
EXACT_ANSWER_INSTRUCTION = (
    "Work it out step by step, then finish with a final line of the form 'Answer: <value>', giving an exact "
    "integer or fraction such as 7 or 3/4."
)

# Partial credit of the math verifier. A formatted but wrong answer earns a little so that early
# groups are not all zero (GRPO learns nothing from a group with equal rewards); a correct number
# without the requested format earns more than that but less than a correct, formatted answer.
FORMAT_CREDIT = 0.1
UNFORMATTED_CORRECT_CREDIT = 0.5

_NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
_ANSWER_LINE = re.compile(r"answer\s*(?:is)?\s*[:=]?\s*\**\s*\$?\s*(" + _NUMBER + ")", re.IGNORECASE)
_ANY_NUMBER = re.compile(_NUMBER)
# The text of the last 'Answer: ...' line, up to the end of that line.
_ANSWER_TEXT = re.compile(r"(?im)^[ \t>*_#-]*(?:final\s+)?answer\s*(?:is)?\s*[:=]\s*(.+?)\s*$")
_BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?|-?\d+/\d+")


@dataclass
class StandardItem:
    """One standard prompt: the conversation, how it is rewarded, and what it is checked against.

    `target` is the exact answer (math), a list of constraint dicts (constraints), a list of
    rubric item dicts (rubric, graded by the reward judge), unit tests (code), answer aliases
    (qa) or a schema and the expected values (json)."""

    id: str
    task: str
    messages: list[dict[str, str]]
    reward_kind: RewardKind
    target: Any


def parse_number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def gold_number(answer: Any) -> float | None:
    """The exact answer as a number; for strings, the last number in them (so GSM8K's
    '... #### 72' works unchanged)."""
    if isinstance(answer, int | float):
        return float(answer)
    found = _ANY_NUMBER.findall(str(answer))
    return parse_number(found[-1]) if found else None


def answer_text(text: str) -> str | None:
    """What the reply gives as its final answer: the last 'Answer: ...' line, else the last
    \\boxed{...}; None when it marks no answer."""
    lines = _ANSWER_TEXT.findall(text)
    if lines:
        return lines[-1].strip().strip("*").strip()
    boxed = _BOXED.findall(text)
    return boxed[-1].strip() if boxed else None


def _gold_text(answer: Any) -> str:
    text = str(answer).strip()
    if "####" in text:  # GSM8K's worked solution ends in '#### <answer>'
        text = text.rsplit("####", 1)[-1].strip()
    boxed = _BOXED.findall(text)
    return boxed[-1] if boxed else text


MAX_ANSWER_CHARS = 80


def _symbolic_equal(gold: str, given: str) -> bool:
    """math-verify (sympy underneath): 3/4, 0.75 and \\frac{3}{4} are the same answer.

    Bounded in time: math-verify's own alarm-based timeout works only in the main thread, so off it
    (and always) answers are capped in length and towers of powers are refused before sympy sees them."""
    import threading

    from math_verify import parse, verify

    if len(given) > MAX_ANSWER_CHARS or len(re.findall(r"\^|\*\*", given)) > 1:
        return False
    limit = 5 if threading.current_thread() is threading.main_thread() else None
    try:
        g = parse(f"${gold}$", parsing_timeout=limit)
        p = parse(f"${given}$", parsing_timeout=limit) or parse(given, parsing_timeout=limit)
        return bool(g and p and verify(g, p, timeout_seconds=limit))
    except Exception:  # math-verify raises on odd LaTeX; an unparsable answer is not a correct one
        return False


def same_value(gold: str, given: str) -> bool:
    """Numbers compare numerically (fast path); anything else through math-verify."""
    given = given.strip().rstrip(".").replace("$", "").strip()
    g, p = gold.replace(",", ""), given.replace(",", "")
    if _PLAIN_NUMBER.fullmatch(g) and _PLAIN_NUMBER.fullmatch(p) and "/" not in g + p:
        return math.isclose(float(g), float(p), rel_tol=1e-9, abs_tol=1e-6)
    return _symbolic_equal(gold, given)


def verify_math(text: str, answer: Any) -> float:
    """1 for the right value on an 'Answer:' line (or in \\boxed{}); partial credit as documented
    above. Values are compared as numbers or with math-verify, never as strings."""
    gold = _gold_text(answer)
    if not gold:
        raise ValueError(f"no reference answer in {answer!r}")
    if not re.search(r"\d", gold):
        raise ValueError(f"no number in the reference answer {answer!r}")
    marked = answer_text(text)
    if marked is not None:
        if same_value(gold, marked):
            return 1.0
        first = _ANY_NUMBER.search(marked)  # 'Answer: 32 apples' or 'Answer: 3/4 of the cake'
        if first and same_value(gold, marked[first.start():].split()[0].rstrip(".,;")):
            return 1.0
        return FORMAT_CREDIT if _ANSWER_LINE.search(text) or _BOXED.search(text) else 0.0
    numbers = _ANY_NUMBER.findall(text)
    if numbers and same_value(gold, numbers[-1]):
        return UNFORMATTED_CORRECT_CREDIT
    return 0.0


def normalize_answer(text: str) -> str:
    """Lower case, no punctuation, articles or extra spaces, number words as digits (SQuAD-style)."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^\w\s'-]|_", " ", text)
    text = re.sub(r"(?<!\w)['-]|['-](?!\w)", " ", text)
    words = [NUMBER_WORDS.get(w, w) for w in text.split() if w not in ("a", "an", "the")]
    return " ".join(words)


NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]
