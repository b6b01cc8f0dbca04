"""Multi-step word problems with exact integer answers.

Each template draws its numbers so that every intermediate quantity is a whole, positive number;
the answer is computed from the same numbers, never written by hand.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from beneficial_rl.training.tasks.base import ANSWER_INSTRUCTION, StandardItem, user

NAMES = ["Amara", "Bilal", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena",
         "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomas"]

Template = Callable[[random.Random], tuple[str, int]]


def _bakery(r: random.Random) -> tuple[str, int]:
    trays, per = r.randint(3, 12), r.randint(6, 24)
    total = trays * per
    morning = r.randint(1, total // 2)
    afternoon = r.randint(0, total - morning)
    return (f"A bakery bakes {trays} trays of {per} muffins each. It sells {morning} muffins in the morning and "
            f"{afternoon} in the afternoon. How many muffins are left?", total - morning - afternoon)


def _change(r: random.Random) -> tuple[str, int]:
    name = r.choice(NAMES)
    a, p, b, q = r.randint(2, 6), r.randint(2, 9), r.randint(1, 5), r.randint(1, 4)
    cost = a * p + b * q
    bill = next(x for x in (20, 50, 100) if x >= cost)
    return (f"{name} buys {a} notebooks at ${p} each and {b} pens at ${q} each, and pays with a ${bill} bill. "
            f"How many dollars of change does {name} get?", bill - cost)


def _trip(r: random.Random) -> tuple[str, int]:
    s1, h1, s2, h2 = r.randint(40, 110), r.randint(1, 5), r.randint(30, 90), r.randint(1, 4)
    return (f"A train travels at {s1} km/h for {h1} hours, then at {s2} km/h for {h2} hours. "
            f"How many kilometres does it travel in total?", s1 * h1 + s2 * h2)


def _packs(r: random.Random) -> tuple[str, int]:
    group = r.randint(3, 6)
    students = group * r.randint(4, 10)
    markers, pack = r.randint(2, 5), r.choice([6, 8, 10, 12])
    needed = students // group * markers
    return (f"A class of {students} students is split into groups of {group}. Each group needs {markers} markers, "
            f"and markers come in packs of {pack}. How many packs must the teacher buy?", -(-needed // pack))


def _tank(r: random.Random) -> tuple[str, int]:
    capacity = r.choice([200, 400, 500, 800, 1000, 1200])
    pct = r.choice([25, 50, 75, 40, 60, 80])
    full = capacity * pct // 100
    used = r.randint(1, full)
    return (f"A water tank holds {capacity} litres and is {pct}% full. Then {used} litres are used. "
            f"How many litres are left in the tank?", full - used)


def _savings(r: random.Random) -> tuple[str, int]:
    name = r.choice(NAMES)
    pct = r.choice([10, 20, 25, 50])
    weeks = r.choice([4, 8, 10, 12, 20])
    weekly = 10 * r.randint(1, 6)  # a multiple of 10 over an even number of weeks keeps every share whole
    saved = weekly * weeks
    return (f"{name} saves ${weekly} every week for {weeks} weeks, then spends {pct}% of the savings on a gift. "
            f"How many dollars does {name} have left?", saved - saved * pct // 100)


def _ages(r: random.Random) -> tuple[str, int]:
    a, b = r.sample(NAMES, 2)
    b_now, years = r.randint(3, 30), r.randint(2, 12)
    a_now = 2 * (b_now + years) - years
    return (f"In {years} years, {a} will be twice as old as {b} will be then. {b} is {b_now} now. "
            f"How old is {a} now?", a_now)


def _fence(r: random.Random) -> tuple[str, int]:
    length, width, price = r.randint(5, 40), r.randint(3, 30), r.randint(2, 15)
    return (f"A garden is {length} m long and {width} m wide. Fencing costs ${price} per metre. "
            f"How many dollars does it cost to fence the whole garden?", 2 * (length + width) * price)


TEMPLATES: list[Template] = [_bakery, _change, _trip, _packs, _tank, _savings, _ages, _fence]


def stream(seed: str, task: str = "word_problems") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        text, value = rng.choice(TEMPLATES)(rng)
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(f"{text} {ANSWER_INSTRUCTION}"),
                           reward_kind="math", target=str(value))
        i += 1
