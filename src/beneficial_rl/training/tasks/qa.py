"""Factual and reading-comprehension QA with answer aliases, and the alias verifier (also used by
the logic family).

Reading comprehension uses generated passages about invented people and places, with distractors
(several people, several numbers), so the answer has to be read from the passage rather than
guessed or recalled. Factual questions draw on `facts.py` and on facts computed by the standard
library (weekdays of historical dates, Roman numerals). A reply earns 1 when its 'Answer:' line
matches an alias after SQuAD-style normalisation (case, punctuation, articles, number words), 0.5
when the whole reply is that short answer without the requested line, and 0 otherwise.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from typing import Any

from beneficial_rl.training.tasks.base import (
    UNFORMATTED_CORRECT_CREDIT,
    StandardItem,
    answer_text,
    normalize_answer,
    user,
)
from beneficial_rl.training.tasks.facts import COUNTRIES, ELEMENTS

QA_INSTRUCTION = "Finish with a final line of the form 'Answer: <your answer>'."
_LEAD_INS = ("it is ", "it s ", "its ", "answer is ", "they are ")


def _clean(text: str) -> str:
    norm = normalize_answer(text)
    for lead in _LEAD_INS:
        if norm.startswith(lead):
            norm = norm[len(lead):]
    return norm


def _as_set(text: str) -> frozenset[str]:
    parts = re.split(r"[,;&\n]|\band\b", text, flags=re.IGNORECASE)
    return frozenset(n for n in (normalize_answer(p) for p in parts) if n)


def matches(given: str, target: dict) -> bool:
    if "set" in target:
        return _as_set(given) == frozenset(normalize_answer(x) for x in target["set"])
    return _clean(given) in {normalize_answer(a) for a in target["aliases"]}


def verify(text: str, target: dict) -> float:
    marked = answer_text(text)
    if marked is not None:
        return float(matches(marked, target))
    short = text.strip()
    if short and len(short.split()) <= 5 and matches(short, target):
        return UNFORMATTED_CORRECT_CREDIT
    return 0.0


def validate(target: Any) -> dict:
    """Raise ValueError for a QA target this verifier cannot check (external rows)."""
    if isinstance(target, dict) and isinstance(target.get("set"), list):
        return target
    if not isinstance(target, dict) or not isinstance(target.get("aliases"), list) or not target["aliases"] \
            or not all(isinstance(a, str) and normalize_answer(a) for a in target["aliases"]):
        raise ValueError("a QA target needs a non-empty list of string `aliases` (or a `set` of names)")
    return target


# ---- reading comprehension -------------------------------------------------------------------

FIRST = ["Aiko", "Bram", "Celine", "Dario", "Elif", "Femi", "Greta", "Hamid", "Ines", "Jonas", "Kavya", "Luca",
         "Mei", "Nils", "Olga", "Pablo", "Rania", "Stefan", "Talia", "Umar", "Vera", "Wen", "Yusuf", "Zora"]
TOWNS = ["Ashford Vale", "Brindlemoor", "Caddick Bay", "Dunmere", "Elsworth", "Farrowdale", "Glenhallow",
         "Harwick", "Istermoor", "Kellsby", "Lowmarsh", "Millbrook Cross", "Northwick", "Oakhaven", "Pellham",
         "Redcliffe Down", "Saltmere", "Thornbury Green", "Upton Reach", "Westerly"]
JOBS = ["nurse", "carpenter", "librarian", "baker", "pilot", "engineer", "teacher", "gardener", "chemist",
        "photographer", "tailor", "architect", "vet", "translator"]
THINGS = [("cats", "cat"), ("bicycles", "bicycle"), ("apple trees", "apple tree"), ("guitars", "guitar"),
          ("beehives", "beehive"), ("chickens", "chicken"), ("boats", "boat"), ("clocks", "clock")]
HOBBIES = ["chess", "rowing", "pottery", "birdwatching", "fencing", "origami", "the violin", "rock climbing",
           "sailing", "astronomy", "beekeeping", "calligraphy"]


def _count_aliases(n: int) -> list[str]:
    words = "zero one two three four five six seven eight nine ten eleven twelve".split()
    return [str(n), *([words[n]] if n < len(words) else [])]


def _person(r: random.Random, name: str, taken: dict[str, set]) -> dict:
    def pick(key: str, pool: list) -> Any:
        choice = r.choice([x for x in pool if x not in taken.setdefault(key, set())])
        taken[key].add(choice)
        return choice

    plural, singular = r.choice(THINGS)
    return {"name": name, "town": pick("town", TOWNS), "job": pick("job", JOBS), "year": pick("year", list(range(1990, 2021))),
            "count": pick("count", list(range(2, 10))), "things": plural, "thing": singular,
            "hobby": pick("hobby", HOBBIES), "from": pick("town", TOWNS)}


def _passage(people: list[dict], r: random.Random) -> str:
    sentences = []
    for p in people:
        forms = [
            f"{p['name']} grew up in {p['from']} and moved to {p['town']} in {p['year']} to work as a {p['job']}.",
            f"In {p['year']}, {p['name']} left {p['from']} for {p['town']}, where they found work as a {p['job']}.",
        ]
        sentences.append(r.choice(forms))
        sentences.append(r.choice([
            f"{p['name']} keeps {p['count']} {p['things']} and spends most weekends on {p['hobby']}.",
            f"Outside work, {p['name']} is devoted to {p['hobby']} and looks after {p['count']} {p['things']}.",
        ]))
    return " ".join(sentences)


def reading_item(r: random.Random) -> tuple[str, dict]:
    names = r.sample(FIRST, r.randint(2, 3))
    taken: dict[str, set] = {}
    people = [_person(r, n, taken) for n in names]
    p = r.choice(people)
    kind = r.choice(["town", "from", "job", "year", "count", "who_job", "who_town", "hobby"])
    questions = {
        "town": (f"Which town did {p['name']} move to?", [p["town"]]),
        "from": (f"Where did {p['name']} grow up?", [p["from"]]),
        "job": (f"What is {p['name']}'s job?", [p["job"], f"a {p['job']}"]),
        "year": (f"In which year did {p['name']} move?", [str(p["year"])]),
        "count": (f"How many {p['things']} does {p['name']} keep?", _count_aliases(p["count"])),
        "who_job": (f"Who works as a {p['job']}?", [p["name"]]),
        "who_town": (f"Who moved to {p['town']}?", [p["name"]]),
        "hobby": (f"What does {p['name']} spend weekends on?", [p["hobby"], p["hobby"].removeprefix("the ")]),
    }
    question, aliases = questions[kind]
    text = f"Read the passage and answer the question.\n\nPassage: {_passage(people, r)}\n\nQuestion: {question} {QA_INSTRUCTION}"
    return text, {"aliases": aliases}


# ---- factual --------------------------------------------------------------------------------

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def factual_item(r: random.Random) -> tuple[str, dict]:
    kind = r.choice(["capital", "country_of", "continent", "symbol", "element_of", "number", "weekday", "roman",
                     "from_roman"])
    country = r.choice(sorted(COUNTRIES))
    capitals, continent = COUNTRIES[country]
    element = r.choice(sorted(ELEMENTS))
    symbol, number = ELEMENTS[element]
    the = "the " if country in ("Czech Republic", "Netherlands", "Philippines", "United Kingdom") else ""
    if kind == "capital":
        q, aliases = f"What is the capital city of {the}{country}?", capitals
    elif kind == "country_of":
        q, aliases = f"{capitals[0]} is the capital of which country?", [country, f"the {country}"]
        aliases += {"United Kingdom": ["UK", "Britain", "Great Britain"], "Czech Republic": ["Czechia"],
                    "South Korea": ["Korea", "Republic of Korea"], "Netherlands": ["Holland"],
                    "Turkey": ["Turkiye", "Türkiye"]}.get(country, [])
    elif kind == "continent":
        q, aliases = f"On which continent is {the}{country} mainly located?", [continent]
        aliases += ["Australia"] if continent == "Oceania" else []
        if country in ("Russia", "Turkey"):  # transcontinental: either answer is right
            aliases = ["Europe", "Asia"]
    elif kind == "symbol":
        q, aliases = f"What is the chemical symbol of {element}?", [symbol]
    elif kind == "element_of":
        q, aliases = f"Which chemical element has the symbol {symbol}?", [element] + (["aluminum"] if element == "aluminium" else []) \
            + (["sulphur"] if element == "sulfur" else [])
    elif kind == "number":
        q, aliases = f"What is the atomic number of {element}?", [str(number)]
    elif kind == "weekday":
        day = dt.date(r.randint(1800, 2020), r.randint(1, 12), r.randint(1, 28))
        q, aliases = f"On which day of the week did {day.day} {day:%B} {day.year} fall (Gregorian calendar)?", [f"{day:%A}"]
    elif kind == "roman":
        n = r.randint(4, 3999)
        q, aliases = f"How is the number {n} written in Roman numerals?", [roman(n)]
    else:
        n = r.randint(4, 3999)
        q, aliases = f"What number does the Roman numeral {roman(n)} stand for?", [str(n)]
    return f"{q} {QA_INSTRUCTION}", {"aliases": aliases}


def stream(seed: str, task: str = "qa") -> Iterator[StandardItem]:
    """Reading comprehension and factual questions, about half each."""
    rng = random.Random(seed)
    i = 0
    while True:
        text, target = (reading_item if rng.random() < 0.5 else factual_item)(rng)
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(text), reward_kind="qa", target=target)
        i += 1
