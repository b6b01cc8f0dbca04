"""Arithmetic expressions with exact integer answers, from one to three operations.

Difficulty is mixed on purpose: a small policy solves the short ones (so its groups are not all
zero) and fails some of the long ones (so there is something left to learn).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from beneficial_rl.training.tasks.base import ANSWER_INSTRUCTION, StandardItem, user


def _n(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randint(lo, hi)


def _two(rng: random.Random) -> tuple[str, int]:
    a, b = _n(rng, 2, 999), _n(rng, 2, 999)
    op = rng.choice("+-*")
    if op == "*":
        a, b = _n(rng, 2, 99), _n(rng, 2, 99)
    return f"{a} {op} {b}", {"+": a + b, "-": a - b, "*": a * b}[op]


def _three(rng: random.Random) -> tuple[str, int]:
    a, b, c = _n(rng, 2, 60), _n(rng, 2, 60), _n(rng, 2, 30)
    forms: list[tuple[str, int]] = [
        (f"({a} + {b}) * {c}", (a + b) * c),
        (f"{a} * {b} - {c}", a * b - c),
        (f"{a} + {b} * {c}", a + b * c),
        (f"({a} - {b}) * {c}", (a - b) * c),
    ]
    return rng.choice(forms)


def _four(rng: random.Random) -> tuple[str, int]:
    a, b, c, d = _n(rng, 2, 40), _n(rng, 2, 40), _n(rng, 2, 40), _n(rng, 2, 12)
    k = _n(rng, 2, 30)
    forms: list[tuple[str, int]] = [
        (f"{a} * {b} + {c} * {d}", a * b + c * d),
        (f"({a} + {b}) * ({c} + {d})", (a + b) * (c + d)),
        (f"{d * k} / {d} + {a} * {b}", k + a * b),
        (f"{a} * {b} - {d * k} / {d}", a * b - k),
    ]
    return rng.choice(forms)


LEVELS: list[Callable[[random.Random], tuple[str, int]]] = [_two, _three, _four]


def make(rng: random.Random) -> tuple[str, int]:
    """One expression and its value."""
    return rng.choice(LEVELS)(rng)


def stream(seed: str, task: str = "arithmetic") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        expr, value = make(rng)
        text = f"Compute {expr}. {ANSWER_INSTRUCTION}"
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(text), reward_kind="math", target=str(value))
        i += 1
