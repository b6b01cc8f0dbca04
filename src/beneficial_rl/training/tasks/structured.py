"""Structured output: extract facts from a short generated text into JSON that fits a schema.

The reply must be a JSON object (optionally in a ```json fence) that validates against the item's
JSON Schema (checked with `jsonschema`) and carries the right values. Reward: 0 when the reply is
not such an object; otherwise FORMAT_CREDIT for a valid object plus the rest in proportion to the
fields whose values are right. Values compare after normalisation (case and spacing for strings,
numerically for numbers, as multisets for lists), so the verifier checks the task, not the layout.
"""

from __future__ import annotations

import functools
import json
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from beneficial_rl.training.tasks.base import FORMAT_CREDIT, StandardItem, normalize_answer, user
from beneficial_rl.training.tasks.qa import FIRST, JOBS, TOWNS

JSON_INSTRUCTION = "Reply with only the JSON object, with no other text."
_FENCE = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL)


def _obj(props: dict[str, Any]) -> dict:
    return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}


STR, INT, NUM = {"type": "string"}, {"type": "integer"}, {"type": "number"}
PRODUCTS = [("notebook", 3.5), ("pencil", 0.75), ("stapler", 8.0), ("backpack", 24.0), ("water bottle", 12.5),
            ("desk lamp", 19.0), ("ruler", 1.25), ("calculator", 15.0), ("folder", 2.0), ("marker", 1.5)]
GENRES = ["mystery", "romance", "history", "science fiction", "poetry", "travel", "biography", "fantasy", "cooking"]
SURNAMES = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Castillo", "Novak", "Haddad", "Brennan", "Iyer", "Kowalski"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _contact(r: random.Random) -> tuple[str, dict, dict]:
    first, last = r.choice(FIRST), r.choice(SURNAMES)
    age, town, job = r.randint(19, 80), r.choice(TOWNS), r.choice(JOBS)
    email = f"{first.lower()}.{last.lower()}@example.org"
    text = r.choice([
        f"Met {first} {last} at the fair today - a {age}-year-old {job} from {town}. Said to write to {email}.",
        f"New member: {first} {last} ({job}), age {age}, lives in {town}; contact {email}.",
    ])
    schema = _obj({"name": STR, "age": INT, "town": STR, "job": STR, "email": STR})
    return text, schema, {"name": f"{first} {last}", "age": age, "town": town, "job": job, "email": email}


def _order(r: random.Random) -> tuple[str, dict, dict]:
    who = f"{r.choice(FIRST)} {r.choice(SURNAMES)}"
    lines = [(p, r.randint(1, 6), price) for p, price in r.sample(PRODUCTS, r.randint(2, 4))]
    total = round(sum(q * price for _, q, price in lines), 2)
    listed = "; ".join(f"{q} x {p} at ${price:.2f} each" for p, q, price in lines)
    text = f"Order from {who}: {listed}."
    schema = _obj({"customer": STR, "items": {"type": "array", "items": _obj({"product": STR, "quantity": INT})},
                   "total": NUM})
    expected = {"customer": who, "items": [{"product": p, "quantity": q} for p, q, _ in lines], "total": total}
    return text + " Give the total cost in dollars as a number.", schema, expected


def _event(r: random.Random) -> tuple[str, dict, dict]:
    what = r.choice(["charity quiz", "choir concert", "repair cafe", "book swap", "chess tournament", "plant sale"])
    year, month, day = r.randint(2024, 2027), r.randint(1, 12), r.randint(1, 28)
    hour, seats, town = r.randint(9, 20), 10 * r.randint(2, 30), r.choice(TOWNS)
    text = (f"The {what} will be held in {town} on {day} {MONTHS[month - 1]} {year}, starting at {hour}:00. "
            f"There is room for {seats} people.")
    schema = _obj({"event": STR, "town": STR, "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                   "start_hour": INT, "capacity": INT})
    expected = {"event": what, "town": town, "date": f"{year:04d}-{month:02d}-{day:02d}", "start_hour": hour,
                "capacity": seats}
    return text + " Write the date as YYYY-MM-DD and the start hour as an integer from 0 to 23.", schema, expected


def _book(r: random.Random) -> tuple[str, dict, dict]:
    title = f"The {r.choice(['Silent', 'Last', 'Hidden', 'Northern', 'Glass', 'Paper'])} " \
            f"{r.choice(['Harbour', 'Garden', 'Letter', 'Orchard', 'Bridge', 'Winter'])}"
    author = f"{r.choice(FIRST)} {r.choice(SURNAMES)}"
    year, pages, genres = r.randint(1950, 2024), r.randint(120, 640), r.sample(GENRES, r.randint(1, 3))
    text = (f"{author}'s novel \"{title}\" came out in {year}. It runs to {pages} pages and is usually shelved under "
            f"{' and '.join(genres)}.")
    schema = _obj({"title": STR, "author": STR, "year": INT, "pages": INT,
                   "genres": {"type": "array", "items": STR, "minItems": 1}})
    return text, schema, {"title": title, "author": author, "year": year, "pages": pages, "genres": genres}


MAKERS: list[Callable[[random.Random], tuple[str, dict, dict]]] = [_contact, _order, _event, _book]


def stream(seed: str, task: str = "structured") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        text, schema, expected = rng.choice(MAKERS)(rng)
        prompt = (f"Extract the details from this text into a JSON object that matches the JSON Schema below.\n\n"
                  f"Text: {text}\n\nSchema: {json.dumps(schema)}\n\n{JSON_INSTRUCTION}")
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(prompt), reward_kind="json",
                           target={"schema": schema, "expected": expected})
        i += 1


def parse_reply(text: str) -> Any:
    body = text.strip()
    fenced = _FENCE.fullmatch(body)
    if fenced:
        body = fenced.group(1)
    try:
        return json.loads(body)
    except ValueError:
        return None


def _norm(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float):
        return round(float(v), 6)
    if isinstance(v, str):
        return normalize_answer(v)
    if isinstance(v, list):
        return sorted(json.dumps(_norm(x), sort_keys=True) for x in v)
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    return v


@functools.lru_cache(maxsize=512)
def _validator(schema_json: str) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(schema_json))


def verify(text: str, target: dict) -> float:
    obj = parse_reply(text)
    if not isinstance(obj, dict):
        return 0.0
    if not _validator(json.dumps(target["schema"], sort_keys=True)).is_valid(obj):
        return 0.0
    expected = target["expected"]
    right = sum(_norm(obj.get(k)) == _norm(v) for k, v in expected.items())
    return FORMAT_CREDIT + (1 - FORMAT_CREDIT) * right / len(expected)


def validate(target: Any) -> dict:
    """Raise ValueError for a JSON target this verifier cannot check (external rows)."""
    import jsonschema

    if not isinstance(target, dict) or not isinstance(target.get("schema"), dict) or \
            not isinstance(target.get("expected"), dict) or not target["expected"]:
        raise ValueError("a json target needs a `schema` object and a non-empty `expected` object")
    try:
        jsonschema.Draft202012Validator.check_schema(target["schema"])
        jsonschema.validate(target["expected"], target["schema"])
    except jsonschema.SchemaError as e:
        raise ValueError(f"invalid JSON Schema: {e.message}") from None
    except jsonschema.ValidationError as e:
        raise ValueError(f"`expected` does not fit its own schema: {e.message}") from None
    return target
