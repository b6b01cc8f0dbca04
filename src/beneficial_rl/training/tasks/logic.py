"""Logic puzzles with unique solutions: orderings, knights and knaves, small grid puzzles, day
arithmetic.

Every puzzle is solved by brute force over all candidate worlds when it is generated; clues are
added until exactly one world fits, and a puzzle that cannot be made unique is redrawn. Answers
are names or days, checked with the QA alias verifier (a set of names for knights and knaves), so
no panel reply ("Yes.", "A", a list of the puzzle's words) can match one.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator

from beneficial_rl.training.tasks.base import StandardItem, user
from beneficial_rl.training.tasks.qa import QA_INSTRUCTION

PEOPLE = ["Alice", "Bruno", "Chloe", "Diego", "Esther", "Farid", "Gwen", "Hugo", "Ingrid", "Jamal", "Kiri", "Leon",
          "Marta", "Noor", "Oscar", "Petra"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ordering(r: random.Random) -> tuple[str, dict] | None:
    """N people ranked by a quantity; pairwise clues until the ranking is unique."""
    n = r.randint(3, 5)
    names = r.sample(PEOPLE, n)
    more, less, most = r.choice([("taller than", "shorter than", "tallest"), ("older than", "younger than", "oldest"),
                                 ("faster than", "slower than", "fastest")])
    truth = names[:]
    r.shuffle(truth)  # truth[0] has the most
    rank = {p: i for i, p in enumerate(truth)}
    worlds = list(itertools.permutations(names))
    clues: list[str] = []
    pairs = list(itertools.combinations(names, 2))
    r.shuffle(pairs)
    for a, b in pairs:
        if len(worlds) == 1:
            break
        kept = [w for w in worlds if (w.index(a) < w.index(b)) == (rank[a] < rank[b])]
        if len(kept) == len(worlds):
            continue
        worlds = kept
        clues.append(f"{a} is {more if rank[a] < rank[b] else less} {b}.")
    if len(worlds) != 1:
        return None
    k = r.randint(0, n - 1)
    which = "Who is the " + (f"{most}?" if k == 0 else f"{_ordinal(k + 1)} {most}?" if k < n - 1 else
                             f"{_least(most)}?")
    return f"{' '.join(clues)} {which} {QA_INSTRUCTION}", {"aliases": [truth[k]]}


def _ordinal(k: int) -> str:
    return {2: "second", 3: "third", 4: "fourth"}[k]


def _least(most: str) -> str:
    return {"tallest": "shortest", "oldest": "youngest", "fastest": "slowest"}[most]


def knights(r: random.Random) -> tuple[str, dict] | None:
    """Knights always tell the truth, knaves always lie; statements until one assignment fits."""
    n = r.randint(2, 3)
    names = r.sample(PEOPLE, n)
    truth = {p: r.random() < 0.5 for p in names}

    worlds = [dict(zip(names, bits, strict=True)) for bits in itertools.product([True, False], repeat=n)]
    said: list[str] = []
    for _ in range(8):
        if len(worlds) == 1:
            break
        speaker = r.choice(names)
        others = [p for p in names if p != speaker]
        b = r.choice(others)
        form = r.randint(0, 3)
        text, claim = [
            (f"{b} is a knave.", lambda w, b=b: not w[b]),
            (f"{b} is a knight.", lambda w, b=b: w[b]),
            (f"{b} and I are both knights.", lambda w, b=b, s=speaker: w[b] and w[s]),
            (f"{b} and I are of different kinds.", lambda w, b=b, s=speaker: w[b] != w[s]),
        ][form]
        if claim(truth) != truth[speaker]:
            continue  # the real world must be consistent with what was said
        kept = [w for w in worlds if claim(w) == w[speaker]]
        if len(kept) < len(worlds):
            worlds = kept
            said.append(f'{speaker} says: "{text}"')
    if len(worlds) != 1:
        return None
    knights_ = sorted(p for p in names if truth[p])
    intro = (f"On an island, every inhabitant is either a knight, who always tells the truth, or a knave, who "
             f"always lies. You meet {', '.join(names[:-1])} and {names[-1]}.")
    ask = "Which of them are knights? Give their names separated by commas, or 'none' if there are none."
    return f"{intro} {' '.join(said)} {ask} {QA_INSTRUCTION}", ({"set": knights_} if knights_ else {"aliases": ["none"]})


def grid(r: random.Random) -> tuple[str, dict] | None:
    """Three or four people, each with a distinct pet and a distinct house colour; clues until unique."""
    n = r.randint(3, 4)
    names = r.sample(PEOPLE, n)
    pets = r.sample(["cat", "dog", "parrot", "rabbit", "tortoise", "hamster"], n)
    colours = r.sample(["red", "blue", "green", "yellow", "white"], n)
    pet_of = dict(zip(names, pets, strict=True))
    colour_of = dict(zip(names, r.sample(colours, n), strict=True))
    worlds = [(dict(zip(names, pp, strict=True)), dict(zip(names, cc, strict=True)))
              for pp in itertools.permutations(pets) for cc in itertools.permutations(colours)]
    candidates: list[tuple[str, Callable]] = []
    for p in names:
        for pet in pets:
            is_ = pet_of[p] == pet
            candidates.append((f"{p} {'owns' if is_ else 'does not own'} the {pet}.",
                               lambda w, p=p, pet=pet, is_=is_: (w[0][p] == pet) == is_))
        for c in colours:
            is_ = colour_of[p] == c
            candidates.append((f"{p} {'lives' if is_ else 'does not live'} in the {c} house.",
                               lambda w, p=p, c=c, is_=is_: (w[1][p] == c) == is_))
    for pet in pets:
        owner = next(p for p in names if pet_of[p] == pet)
        for c in colours:
            is_ = colour_of[owner] == c
            candidates.append((f"The {pet} {'lives' if is_ else 'does not live'} in the {c} house.",
                               lambda w, pet=pet, c=c, is_=is_: (w[1][_owner(w, pet)] == c) == is_))
    r.shuffle(candidates)
    clues = []
    for text, test in candidates:
        if len(worlds) == 1:
            break
        kept = [w for w in worlds if test(w)]
        if len(kept) < len(worlds):
            worlds, clues = kept, [*clues, text]
    if len(worlds) != 1 or len(clues) > 9:
        return None
    pet = r.choice(pets)
    owner = next(p for p in names if pet_of[p] == pet)
    if r.random() < 0.5:
        question, aliases = f"Who owns the {pet}?", [owner]
    else:
        question, aliases = f"What colour is the house of the person who owns the {pet}?", [colour_of[owner]]
    intro = (f"{', '.join(names[:-1])} and {names[-1]} each own a different pet ({', '.join(sorted(pets))}) and each "
             f"live in a house of a different colour ({', '.join(sorted(colours))}).")
    return f"{intro} {' '.join(clues)} {question} {QA_INSTRUCTION}", {"aliases": aliases}


def _owner(world: tuple[dict, dict], pet: str) -> str:
    return next(p for p, owned in world[0].items() if owned == pet)


def days(r: random.Random) -> tuple[str, dict] | None:
    """Relative day arithmetic: 'three days after the day before yesterday was Friday'."""
    offsets = {"yesterday": -1, "tomorrow": 1, "the day before yesterday": -2, "the day after tomorrow": 2}
    anchor, shift = r.choice(sorted(offsets)), r.randint(1, 9)
    direction = r.choice(["after", "before"])
    known = r.randrange(7)
    total = offsets[anchor] + (shift if direction == "after" else -shift)
    today = (known - total) % 7
    words = "one two three four five six seven eight nine".split()
    question = r.choice(["What day is it today?", "What day will it be tomorrow?"])
    answer = today if question.endswith("today?") else (today + 1) % 7
    return (f"If {words[shift - 1]} day{'s' if shift > 1 else ''} {direction} {anchor} is a {DAYS[known]}, "
            f"{question[0].lower()}{question[1:]} {QA_INSTRUCTION}", {"aliases": [DAYS[answer]]})


PUZZLES: list[Callable[[random.Random], tuple[str, dict] | None]] = [ordering, knights, grid, days]


def stream(seed: str, task: str = "logic") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        made = rng.choice(PUZZLES)(rng)
        if made is None:
            continue
        text, target = made
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(text), reward_kind="qa", target=target)
        i += 1
