"""Instruction following: a task that code can check was done, plus IFEval-style format constraints.

Every generated item carries one *task* check (write on the topic, sort the list, write the
acrostic) and up to three format constraints. The reward is the task score times the mean of the
format scores: format partial credit is honest (each constraint really was or was not met), but a
reply that does not do the task earns nothing however well it is formatted, so "Ok." no longer
meets "do not use commas" for free. The topic check asks for what a trivial reply lacks: the
topic's own words, enough words of prose (function words, not a keyword list), and text of its
own rather than the prompt pasted back.

External rows (`kind: jsonl`) may omit a task check; their reward is then the format mean alone.
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
    "Write a short blog post about {topic}.",
    "Write a message to a family group chat about {topic}.",
    "Give three tips for someone new to {topic}.",
    "Write a persuasive paragraph encouraging a reluctant friend to try {topic}.",
    "Write a short diary entry about a day spent on {topic}.",
    "Describe the most common mistakes people make with {topic}.",
]
# (topic, words an answer on the topic must use (prefix match), words a 'keywords' constraint may ask for)
TOPICS = [
    ("a shared compost bin", ["compost"], ["waste", "garden"]),
    ("learning a second language", ["language"], ["practice", "words"]),
    ("a weekend cycling trip", ["cycl"], ["bike", "route"]),
    ("saving energy at home", ["energy"], ["heating", "lights"]),
    ("a new library opening", ["library"], ["books", "hours"]),
    ("starting a running habit", ["run"], ["shoes", "pace"]),
    ("planning a family budget", ["budget"], ["expenses", "savings"]),
    ("a neighbourhood clean-up day", ["clean"], ["volunteers", "bags"]),
    ("keeping houseplants alive", ["plant"], ["water", "light"]),
    ("backing up family photos", ["photo"], ["cloud", "drive"]),
    ("a local farmers market", ["market"], ["vegetables", "stalls"]),
    ("baking bread at home", ["bread"], ["flour", "oven"]),
    ("keeping a vegetable garden", ["garden"], ["soil", "seeds"]),
    ("adopting a rescue dog", ["dog"], ["walks", "shelter"]),
    ("birdwatching in a city park", ["bird"], ["binoculars", "morning"]),
    ("taking up chess", ["chess"], ["openings", "board"]),
    ("commuting by train", ["train"], ["ticket", "platform"]),
    ("learning to swim as an adult", ["swim"], ["pool", "breathing"]),
    ("hosting a board game night", ["game"], ["snacks", "rules"]),
    ("repairing a bicycle puncture", ["puncture", "tyre|tire"], ["patch", "pump"]),
    ("writing a weekly journal", ["journal"], ["pages", "habit"]),
    ("visiting a science museum", ["museum"], ["exhibits", "tickets"]),
    ("making soup from leftovers", ["soup"], ["stock", "vegetables"]),
    ("planting trees along a street", ["tree"], ["roots", "shade"]),
    ("organising a book club", ["book"], ["members", "discussion"]),
    ("camping in the rain", ["camp|tent"], ["tarp", "boots"]),
    ("learning to knit", ["knit"], ["yarn", "needles"]),
    ("keeping bees", ["bee"], ["hive", "honey"]),
    ("cooking for a large family", ["cook"], ["portions", "recipes"]),
    ("teaching a child to read", ["read"], ["letters", "stories"]),
    ("reducing plastic waste", ["plastic"], ["bottles", "reuse"]),
    ("stargazing on a clear night", ["star"], ["telescope", "dark"]),
    ("walking to work", ["walk"], ["route", "weather"]),
    ("volunteering at a food bank", ["food"], ["donations", "shifts"]),
    ("painting a bedroom", ["paint"], ["brush", "walls"]),
    ("growing tomatoes on a balcony", ["tomato"], ["pots", "sun"]),
]
# Lists to sort (the 'sort' task); items are lowercase words with distinct first letters per draw.
SORT_POOLS = {
    "fruits": ["apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "kiwi", "lemon", "mango",
               "nectarine", "orange", "papaya", "quince", "raspberry", "strawberry", "tangerine", "watermelon"],
    "animals": ["badger", "camel", "dolphin", "eagle", "ferret", "gorilla", "heron", "iguana", "jaguar", "koala",
                "lemur", "moose", "newt", "otter", "penguin", "rabbit", "salmon", "tortoise", "walrus", "yak", "zebra"],
    "cities": ["amsterdam", "berlin", "cairo", "dublin", "edinburgh", "florence", "geneva", "havana", "istanbul",
               "jakarta", "kyoto", "lima", "madrid", "nairobi", "oslo", "prague", "quito", "rome", "seoul", "toronto",
               "vienna", "warsaw"],
    "instruments": ["accordion", "bassoon", "cello", "drum", "flute", "guitar", "harp", "kazoo", "lute",
                    "mandolin", "oboe", "piano", "recorder", "saxophone", "trumpet", "ukulele", "violin", "xylophone"],
}
ACROSTIC_WORDS = ["lamp", "rain", "seed", "tide", "wind", "moon", "bread", "river", "stone", "cloud", "light",
                  "green", "spark", "ocean", "maple", "honey", "north", "frost", "bloom", "quiet", "brave", "dawn",
                  "hope", "leaf", "snow", "path", "field", "smile", "story", "grain"]
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


_FUNCTION_WORDS = frozenset(
    "a an the and or but if of to in on at for with by from as is are was were be it its this that these those "
    "i you he she we they my your our their them his her not no can could would should will may have has had "
    "what which who how when where there here so than too very just about into over up out all some each more "
    "most other only also because while after before then do does did get make keep try use one".split())
_REFUSAL = re.compile(r"\b(?:i can(?:no|')t|i(?: am|'m) (?:not able|unable)|i won't|i will not)\b.{0,40}\b(?:help|do|write|assist)",
                      re.IGNORECASE)
MIN_PROSE_WORDS = 15
MAX_PROMPT_OVERLAP = 0.5


def _ngrams(words: list[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def is_prose(text: str, prompt: str, min_words: int = MIN_PROSE_WORDS) -> bool:
    """Enough words, written as sentences (function words, not a keyword list), mostly not the
    prompt pasted back, and not a refusal."""
    words = [w.lower() for w in _words(text)]
    if len(words) < min_words or _REFUSAL.search(text):
        return False
    if sum(w in _FUNCTION_WORDS for w in words) / len(words) < 0.2:
        return False
    mine = _ngrams(words)
    copied = mine & _ngrams([w.lower() for w in _words(prompt)])
    return not mine or len(copied) / len(mine) <= MAX_PROMPT_OVERLAP


def _mentions(text: str, stems: list[str]) -> bool:
    """Every stem (alternatives split by '|') starts some word of the text."""
    return all(re.search(rf"\b(?:{stem})", text, re.IGNORECASE) for stem in stems)


def _check_topic(text: str, c: dict) -> float:
    return float(_mentions(text, c["stems"]) and is_prose(text, c.get("prompt", ""), c.get("min_words", MIN_PROSE_WORDS)))


def _check_sort(text: str, c: dict) -> float:
    """Every item is there, and the items' last mentions come in the requested order (a reply may
    restate the list before sorting it; the prompt's own order fails)."""
    last = {}
    for item in c["items"]:
        hits = [m.start() for m in re.finditer(rf"\b{re.escape(item)}\b", text, re.IGNORECASE)]
        if not hits:
            return 0.0
        last[item] = hits[-1]
    wanted = sorted(c["items"], reverse=c.get("reverse", False))
    return float(sorted(c["items"], key=last.__getitem__) == wanted)


def _check_acrostic(text: str, c: dict) -> float:
    """Non-empty lines, each of at least three words, whose first letters spell the word (a title
    line in <<...>> is allowed above them)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and not _TITLE.fullmatch(ln.strip())]
    letters = "".join(next((ch for ch in ln if ch.isalpha()), "") for ln in lines).lower()
    return float(letters == c["word"].lower() and all(len(_words(ln)) >= 3 for ln in lines))


# The task check of each generated item: (checker, format kinds it can be combined with).
TASK_CHECKS: dict[str, tuple[Callable[[str, dict], float], frozenset[str]]] = {
    "topic": (_check_topic, frozenset({"max_words", "min_words", "bullets", "keywords", "forbidden", "lowercase",
                                       "json", "end_phrase", "start_word", "paragraphs", "no_commas", "title"})),
    "sort": (_check_sort, frozenset({"lowercase", "title", "end_phrase", "start_word", "forbidden"})),
    "acrostic": (_check_acrostic, frozenset({"lowercase", "forbidden", "no_commas", "title"})),
}


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
    "title": (lambda c: "Include a title between double angle brackets, like <<Title Here>>.",
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


def draw_constraints(rng: random.Random, keywords: list[str], k: int,
                     allowed: frozenset[str] | None = None) -> list[dict]:
    """k mutually compatible format constraints (from `allowed` kinds, all by default)."""
    chosen: list[dict] = []
    kinds = [kind for kind in CHECKS if allowed is None or kind in allowed]
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
    return " ".join([task, *(CHECKS[c["kind"]][0](c) for c in constraints if c["kind"] in CHECKS)])


def verify(text: str, constraints: list[dict]) -> float:
    """Task score(s) times the mean format score; an empty reply meets nothing."""
    if not text.strip() or not constraints:
        return 0.0
    tasks = [c for c in constraints if c["kind"] in TASK_CHECKS]
    formats = [c for c in constraints if c["kind"] in CHECKS]
    score = 1.0
    for c in tasks:
        score *= TASK_CHECKS[c["kind"]][0](text, c)
    if formats and score:
        score *= sum(CHECKS[c["kind"]][1](text, c) for c in formats) / len(formats)
    return score


def validate(constraints: Any) -> list[dict]:
    """Raise ValueError for constraints this verifier cannot check (external JSONL rows)."""
    if not isinstance(constraints, list) or not constraints:
        raise ValueError("constraints must be a non-empty list")
    for c in constraints:
        if not isinstance(c, dict) or (c.get("kind") not in CHECKS and c.get("kind") not in TASK_CHECKS):
            raise ValueError(f"unknown constraint {c!r}; kinds: {sorted([*CHECKS, *TASK_CHECKS])}")
        try:
            (CHECKS.get(c["kind"]) or TASK_CHECKS[c["kind"]])[1 if c["kind"] in CHECKS else 0]("probe text", c)
        except (KeyError, TypeError) as e:
            raise ValueError(f"constraint {c!r} is missing a field: {e}") from None
    return constraints


def _topic_item(rng: random.Random) -> tuple[str, dict, list[str]]:
    topic, stems, keywords = rng.choice(TOPICS)
    task = rng.choice(TASKS).format(topic=topic)
    return task, {"kind": "topic", "stems": stems}, keywords


def _sort_item(rng: random.Random) -> tuple[str, dict, list[str]]:
    what, pool = rng.choice(sorted(SORT_POOLS.items()))
    items = rng.sample(pool, rng.randint(4, 7))
    reverse = rng.random() < 0.3
    while sorted(items, reverse=reverse) == items:
        rng.shuffle(items)
    order = "reverse alphabetical order (Z to A)" if reverse else "alphabetical order"
    task = f"Put these {what} in {order}, one per line: {', '.join(items)}."
    return task, {"kind": "sort", "items": items, "reverse": reverse}, []


def _acrostic_item(rng: random.Random) -> tuple[str, dict, list[str]]:
    word = rng.choice(ACROSTIC_WORDS)
    topic = rng.choice(TOPICS)[0]
    task = (f"Write a {len(word)}-line acrostic poem about {topic}: the first letters of the lines must spell "
            f"{word.upper()}, and each line must have at least three words.")
    return task, {"kind": "acrostic", "word": word}, []


ITEM_KINDS = [(_topic_item, 0.7), (_sort_item, 0.15), (_acrostic_item, 0.15)]


def stream(seed: str, task: str = "instructions") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    makers, weights = zip(*ITEM_KINDS, strict=True)
    i = 0
    while True:
        text, check, keywords = rng.choices(makers, weights=weights)[0](rng)
        allowed = TASK_CHECKS[check["kind"]][1]
        if not keywords:
            allowed = allowed - {"keywords"}
        formats = draw_constraints(rng, keywords, rng.randint(1, 3) if check["kind"] == "topic" else rng.randint(0, 2),
                                   allowed)
        if check["kind"] == "topic":
            limit = next((c["n"] for c in formats if c["kind"] == "max_words"), None)
            check = {**check, "min_words": min(MIN_PROSE_WORDS, limit or MIN_PROSE_WORDS)}
        prompt = render(text, formats)
        if check["kind"] == "topic":
            check["prompt"] = prompt  # what a reply may not simply paste back
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(prompt), reward_kind="constraints",
                           target=[check, *formats])
        i += 1
