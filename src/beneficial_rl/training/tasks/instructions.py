"""Instruction following with checkable constraints (IFEval-style), rewarded per constraint.

The reward is the mean of per-constraint scores, so a reply that meets two of three constraints
earns 2/3: partial credit that is honest, because each constraint really was or was not met.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from beneficial_rl.training.tasks.base import StandardItem, user

TASKS = [
    "Write a short note to your neighbours about {topic}.",
    "Describe {topic} for a community newsletter.",
    "Give a friend practical advice about {topic}.",
    "Explain {topic} to a new colleague.",
    "Write a brief announcement about {topic} for a school notice board.",
    "Summarize the main benefits and drawbacks of {topic}.",
]
TOPICS = [
    ("a shared compost bin", ["compost", "waste"]), ("learning a second language", ["practice", "words"]),
    ("a weekend cycling trip", ["bike", "route"]), ("saving energy at home", ["heating", "lights"]),
    ("a new library opening", ["books", "hours"]), ("starting a running habit", ["shoes", "pace"]),
    ("planning a family budget", ["expenses", "savings"]), ("a neighbourhood clean-up day", ["volunteers", "bags"]),
    ("keeping houseplants alive", ["water", "light"]), ("preparing for a job interview", ["questions", "research"]),
    ("backing up family photos", ["cloud", "drive"]), ("a local farmers market", ["vegetables", "stalls"]),
]
END_PHRASES = ["Thanks for reading.", "Let me know if you have questions.", "That is all for now."]
START_WORDS = ["Hello", "Today", "Quick", "Note"]
JSON_KEYS = [["title", "summary", "tips"], ["topic", "audience", "message"], ["headline", "details"]]

_BULLET = re.compile(r"^\s*(?:[-*\u2022])\s+\S", re.MULTILINE)
_TITLE = re.compile(r"<<[^<>\n]+>>")
_WORD = re.compile(r"[A-Za-z0-9']+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _json_object(text: str) -> Any:
    body = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", body, flags=re.DOTALL)
    if fenced:
        body = fenced.group(1)
    try:
        return json.loads(body)
    except ValueError:
        return None


def _check_json(text: str, c: dict) -> float:
    obj = _json_object(text)
    if not isinstance(obj, dict):
        return 0.0
    return 0.5 + 0.5 * sum(k in obj for k in c["keys"]) / len(c["keys"])


def _check_keywords(text: str, c: dict) -> float:
    found = [re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE) is not None for w in c["words"]]
    return sum(found) / len(found)


def _paragraphs(text: str) -> int:
    return len([p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()])


# kind -> (instruction text, checker returning a score in [0, 1])
CHECKS: dict[str, tuple[Callable[[dict], str], Callable[[str, dict], float]]] = {
    "max_words": (lambda c: f"Use at most {c['n']} words.",
                  lambda t, c: float(0 < len(_words(t)) <= c["n"])),
    "min_words": (lambda c: f"Write at least {c['n']} words.",
                  lambda t, c: float(len(_words(t)) >= c["n"])),
    "bullets": (lambda c: f"Format the answer as exactly {c['n']} bullet points, each line starting with '- '.",
                lambda t, c: float(len(_BULLET.findall(t)) == c["n"])),
    "keywords": (lambda c: "Include the words " + " and ".join(f"'{w}'" for w in c["words"]) + ".",
                 _check_keywords),
    "forbidden": (lambda c: f"Do not use the word '{c['word']}'.",
                  lambda t, c: float(re.search(rf"\b{re.escape(c['word'])}\b", t, re.IGNORECASE) is None)),
    "lowercase": (lambda c: "Write your entire reply in lowercase letters.",
                  lambda t, c: float(any(ch.isalpha() for ch in t) and t == t.lower())),
    "json": (lambda c: "Reply with only a JSON object with the keys " + ", ".join(f'"{k}"' for k in c["keys"]) + ".",
             _check_json),
    "end_phrase": (lambda c: f"End your reply with the exact phrase '{c['phrase']}'.",
                   lambda t, c: float(t.strip().endswith(c["phrase"]))),
    "start_word": (lambda c: f"Start your reply with the word '{c['word']}'.",
                   lambda t, c: float(bool(_words(t)) and _words(t)[0].lower() == c["word"].lower())),
    "paragraphs": (lambda c: f"Write exactly {c['n']} paragraphs separated by blank lines.",
                   lambda t, c: float(_paragraphs(t) == c["n"])),
    "no_commas": (lambda c: "Do not use any commas.", lambda t, c: float("," not in t and bool(t.strip()))),
    "title": (lambda c: "Include a title wrapped in double angular brackets, such as <<My Title>>.",
              lambda t, c: float(_TITLE.search(t) is not None)),
}

# Constraints that cannot hold together: at most one per group.
GROUPS = {"max_words": "length", "min_words": "length", "bullets": "layout", "paragraphs": "layout", "json": "layout"}
JSON_EXCLUDES = {"bullets", "paragraphs", "end_phrase", "start_word", "title", "max_words", "min_words"}


def _draw(kind: str, rng: random.Random, keywords: list[str]) -> dict:
    c: dict[str, Any] = {"kind": kind}
    if kind == "max_words":
        c["n"] = rng.choice([30, 50, 80])
    elif kind == "min_words":
        c["n"] = rng.choice([40, 60, 100])
    elif kind in ("bullets", "paragraphs"):
        c["n"] = rng.randint(2, 5) if kind == "bullets" else rng.randint(2, 3)
    elif kind == "keywords":
        c["words"] = keywords
    elif kind == "forbidden":
        c["word"] = rng.choice(["very", "really", "just", "basically"])
    elif kind == "json":
        c["keys"] = rng.choice(JSON_KEYS)
    elif kind == "end_phrase":
        c["phrase"] = rng.choice(END_PHRASES)
    elif kind == "start_word":
        c["word"] = rng.choice(START_WORDS)
    return c


def draw_constraints(rng: random.Random, keywords: list[str], k: int) -> list[dict]:
    """k mutually compatible constraints."""
    chosen: list[dict] = []
    kinds = list(CHECKS)
    rng.shuffle(kinds)
    for kind in kinds:
        if len(chosen) == k:
            break
        taken = {c["kind"] for c in chosen}
        if GROUPS.get(kind) and GROUPS.get(kind) in {GROUPS.get(t) for t in taken}:
            continue
        if (kind == "json" and taken & JSON_EXCLUDES) or ("json" in taken and kind in JSON_EXCLUDES):
            continue
        if kind == "lowercase" and taken & {"start_word", "end_phrase"} or (
            "lowercase" in taken and kind in ("start_word", "end_phrase")):
            continue  # the required capitalised words would break all-lowercase
        chosen.append(_draw(kind, rng, keywords))
    return chosen


def render(task: str, constraints: list[dict]) -> str:
    return " ".join([task, *(CHECKS[c["kind"]][0](c) for c in constraints)])


def verify(text: str, constraints: list[dict]) -> float:
    """Mean per-constraint score; an empty reply meets nothing."""
    if not text.strip() or not constraints:
        return 0.0
    return sum(CHECKS[c["kind"]][1](text, c) for c in constraints) / len(constraints)


def validate(constraints: Any) -> list[dict]:
    """Raise ValueError for constraints this verifier cannot check (external JSONL rows)."""
    if not isinstance(constraints, list) or not constraints:
        raise ValueError("constraints must be a non-empty list")
    for c in constraints:
        if not isinstance(c, dict) or c.get("kind") not in CHECKS:
            raise ValueError(f"unknown constraint {c!r}; kinds: {sorted(CHECKS)}")
        try:
            CHECKS[c["kind"]][1]("probe text", c)
        except (KeyError, TypeError) as e:
            raise ValueError(f"constraint {c!r} is missing a field: {e}") from None
    return constraints


def stream(seed: str, task: str = "instructions") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        topic, keywords = rng.choice(TOPICS)
        constraints = draw_constraints(rng, keywords, rng.randint(1, 3))
        text = render(rng.choice(TASKS).format(topic=topic), constraints)
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(text), reward_kind="constraints",
                           target=constraints)
        i += 1
