"""Multi-step math with exact answers (integers or fractions), checked with math-verify.

Each template draws its numbers, computes the answer exactly (fractions.Fraction or sympy, never
by hand) and asks for an exact value, so 3/4, 0.75 and \\frac{3}{4} all earn full reward while a
rounded 0.7 does not. The templates span algebra, number theory, probability, sequences, geometry
and calculus at school level: short enough for a 135M model's completions, with several steps.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterator
from fractions import Fraction

from beneficial_rl.training.tasks.base import EXACT_ANSWER_INSTRUCTION, StandardItem, user
from beneficial_rl.training.tasks.word_problems import NAMES

Template = Callable[[random.Random], tuple[str, Fraction | int]]


def fmt(value: Fraction | int) -> str:
    """The canonical answer string: '7', '-3/4'."""
    v = Fraction(value)
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def _nonzero(r: random.Random, lo: int, hi: int) -> int:
    return r.choice([n for n in range(lo, hi + 1) if n != 0])


def _linear(r: random.Random) -> tuple[str, Fraction]:
    a, c = _nonzero(r, -9, 9), _nonzero(r, -9, 9)
    if a == c:
        c += 1 if c != -1 else 2
    b, d = r.randint(-20, 20), r.randint(-20, 20)
    text = re.sub(r"(?<!\d)1x", "x", f"Solve for x: {a}x + {b} = {c}x + {d}.".replace("+ -", "- "))
    return text, Fraction(d - b, a - c)


def _system(r: random.Random) -> tuple[str, Fraction]:
    while True:
        a, b, c, d = (_nonzero(r, -6, 6) for _ in range(4))
        if a * d - b * c:
            break
    x, y = r.randint(-9, 9), r.randint(-9, 9)
    e, f = a * x + b * y, c * x + d * y
    ask = r.choice(["x", "y", "x + y", "x - y"])
    value = {"x": x, "y": y, "x + y": x + y, "x - y": x - y}[ask]
    eqs = re.sub(r"(?<!\d)1([xy])", r"\1", f"{a}x + {b}y = {e} and {c}x + {d}y = {f}".replace("+ -", "- "))
    return f"The numbers x and y satisfy {eqs}. What is {ask}?", Fraction(value)


def _fractions(r: random.Random) -> tuple[str, Fraction]:
    p, q, s = (Fraction(r.randint(1, 9), r.randint(2, 12)) for _ in range(3))
    op1, op2 = r.choice("+-"), r.choice("*/")
    first = p + q if op1 == "+" else p - q
    value = first * s if op2 == "*" else first / s
    sym = {"*": "\u00d7", "/": "\u00f7"}[op2]
    return f"Compute ({fmt(p)} {op1} {fmt(q)}) {sym} {fmt(s)} as an exact fraction in lowest terms.", value


def _percent_chain(r: random.Random) -> tuple[str, Fraction]:
    name = r.choice(NAMES)
    price = r.choice([40, 60, 80, 120, 150, 200, 250, 400])
    up, down = r.choice([10, 20, 25, 50]), r.choice([10, 20, 25, 40, 50])
    value = Fraction(price) * (100 + up) / 100 * (100 - down) / 100
    return (f"A jacket costs ${price}. The shop raises the price by {up}%, and later {name} buys it in a sale at "
            f"{down}% off the new price. How many dollars does {name} pay?", value)


def _probability(r: random.Random) -> tuple[str, Fraction]:
    red, blue, green = r.randint(1, 8), r.randint(1, 8), r.randint(0, 6)
    total = red + blue + green
    kind = r.choice(["two_red", "one_each", "same"])
    bag = f"A bag holds {red} red, {blue} blue and {green} green marbles."
    if kind == "two_red" and red >= 2:
        value = Fraction(red, total) * Fraction(red - 1, total - 1)
        q = "Two marbles are drawn without replacement. What is the probability that both are red?"
    elif kind == "one_each":
        value = 2 * Fraction(red, total) * Fraction(blue, total - 1)
        q = "Two marbles are drawn without replacement. What is the probability of getting one red and one blue?"
    else:
        value = sum(Fraction(k, total) * Fraction(k - 1, total - 1) for k in (red, blue, green) if k >= 2)
        q = "Two marbles are drawn without replacement. What is the probability that they are the same colour?"
    return f"{bag} {q}", Fraction(value)


def _series(r: random.Random) -> tuple[str, Fraction]:
    a, d, n = r.randint(-10, 20), _nonzero(r, -5, 9), r.randint(8, 40)
    if r.random() < 0.5:
        return (f"An arithmetic sequence starts {a}, {a + d}, {a + 2 * d}, ... What is the sum of its first {n} "
                f"terms?", Fraction(n * (2 * a + (n - 1) * d), 2))
    return f"An arithmetic sequence starts {a}, {a + d}, {a + 2 * d}, ... What is its {n}th term?", Fraction(a + (n - 1) * d)


def _geometric(r: random.Random) -> tuple[str, Fraction]:
    a, ratio, n = r.randint(1, 9), r.choice([Fraction(1, 2), Fraction(1, 3), Fraction(2), Fraction(3), Fraction(-2)]), r.randint(4, 8)
    terms = [a * ratio**k for k in range(3)]
    shown = ", ".join(fmt(t) for t in terms)
    return f"A geometric sequence starts {shown}, ... What is the sum of its first {n} terms?", \
        sum((a * ratio**k for k in range(n)), Fraction(0))


def _gcd_lcm(r: random.Random) -> tuple[str, Fraction]:
    g = r.randint(2, 15)
    x, y = g * r.randint(2, 20), g * r.randint(2, 20)
    if r.random() < 0.5:
        return f"What is the greatest common divisor of {x} and {y}, plus their least common multiple?", \
            Fraction(math.gcd(x, y) + math.lcm(x, y))
    return f"What is the least common multiple of {x} and {y} divided by their greatest common divisor?", \
        Fraction(math.lcm(x, y), math.gcd(x, y))


def _modular(r: random.Random) -> tuple[str, Fraction]:
    base, exp, mod = r.randint(2, 13), r.randint(5, 60), r.choice([7, 9, 10, 11, 13, 17])
    return f"What is the remainder when {base}^{exp} is divided by {mod}?", Fraction(pow(base, exp, mod))


def _quadratic(r: random.Random) -> tuple[str, Fraction]:
    p, q = r.randint(-12, 12), r.randint(-12, 12)
    b, c = -(p + q), p * q
    poly = f"x^2 + {b}x + {c} = 0".replace("+ -", "- ").replace(" + 0x", "").replace(" + 0 ", " ")
    ask = r.choice(["sum of the squares", "product", "larger"])
    value = {"sum of the squares": p * p + q * q, "product": p * q, "larger": max(p, q)}[ask]
    what = {"sum of the squares": "What is the sum of the squares of its roots?",
            "product": "What is the product of its roots?", "larger": "What is its larger root?"}[ask]
    return f"Consider the equation {poly}. {what}", Fraction(value)


def _polynomial_value(r: random.Random) -> tuple[str, Fraction]:
    import sympy as sp

    x = sp.Symbol("x")
    coeffs = [r.randint(-5, 5) for _ in range(r.randint(3, 4))]
    f = sum(c * x**i for i, c in enumerate(coeffs))
    at = r.choice([Fraction(r.randint(-4, 4)), Fraction(1, 2), Fraction(-1, 2), Fraction(3, 2)])
    if r.random() < 0.5:
        value = Fraction(str(sp.diff(f, x).subs(x, sp.Rational(at.numerator, at.denominator))))
        return f"Let f(x) = {sp.sstr(sp.expand(f))}. What is f'({fmt(at)}), the derivative of f at x = {fmt(at)}?", value
    value = Fraction(str(f.subs(x, sp.Rational(at.numerator, at.denominator))))
    return f"Let f(x) = {sp.sstr(sp.expand(f))}. What is f({fmt(at)})?", value


def _combinatorics(r: random.Random) -> tuple[str, Fraction]:
    n, k = r.randint(5, 14), r.randint(2, 4)
    people = r.choice(["students", "volunteers", "players", "singers"])
    form = r.choice(["committee", "ordered", "with_pair"])
    if form == "committee":
        return f"In how many ways can a committee of {k} be chosen from {n} {people}?", Fraction(math.comb(n, k))
    if form == "ordered":
        return (f"In how many ways can a president, a secretary and a treasurer be chosen from {n} {people}, "
                f"if no one holds two posts?", Fraction(n * (n - 1) * (n - 2)))
    return (f"A team of {k} is chosen from {n} {people}, two of whom refuse to serve together. How many "
            f"different teams are possible?", Fraction(math.comb(n, k) - math.comb(n - 2, k - 2)))


def _geometry(r: random.Random) -> tuple[str, Fraction]:
    a, b = r.randint(3, 20), r.randint(3, 20)
    form = r.choice(["trapezoid", "triangle", "ring"])
    if form == "trapezoid":
        h = r.randint(2, 15)
        return f"A trapezoid has parallel sides of {a} cm and {b} cm and a height of {h} cm. What is its area in square cm?", \
            Fraction((a + b) * h, 2)
    if form == "triangle":
        m, n = r.randint(2, 9), r.randint(1, 8)
        if m == n:
            m += 1
        m, n = max(m, n), min(m, n)
        legs = (m * m - n * n, 2 * m * n)
        return (f"A right triangle has legs of {legs[0]} and {legs[1]}. What is the sum of its hypotenuse and its "
                f"perimeter?", Fraction(2 * (m * m + n * n) + legs[0] + legs[1]))
    outer, inner = max(a, b) + 1, min(a, b)
    return (f"A ring is the region between two circles with the same centre, of radii {outer} and {inner}. Its area is "
            f"k times pi. What is k?", Fraction(outer * outer - inner * inner))


def _rates(r: random.Random) -> tuple[str, Fraction]:
    a, b = r.randint(2, 12), r.randint(2, 12)
    if a == b:
        b += 1
    x, y = r.sample(NAMES, 2)
    return (f"{x} can paint a fence alone in {a} hours and {y} can paint it alone in {b} hours. Working together at "
            f"those rates, how many hours do they need?", Fraction(a * b, a + b))


TEMPLATES: list[Template] = [_linear, _system, _fractions, _percent_chain, _probability, _series, _geometric,
                             _gcd_lcm, _modular, _quadratic, _polynomial_value, _combinatorics, _geometry, _rates]


def stream(seed: str, task: str = "math") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        text, value = rng.choice(TEMPLATES)(rng)
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(f"{text} {EXACT_ANSWER_INSTRUCTION}"),
                           reward_kind="math", target=fmt(value))
        i += 1
