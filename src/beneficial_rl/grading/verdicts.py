"""The parse rule of the judge protocol: only the judge's own final JSON line counts.

Rule (PARSE_RULE, part of the protocol hash): strip trailing whitespace and one closing code fence;
the reply must then end with a JSON object; the shortest suffix that parses as a JSON object is the
verdict; it must hold the verdict key with booleans of the right shape. Anything else raises
`MalformedVerdict` (retried a bounded number of times, then counted as a grading failure). Nothing
inside the graded response is ever parsed, and JSON earlier in the judge's reasoning (for example
a fake verdict it quotes from the response) is ignored.

Dense verdicts: with logprobs, the probability of "met" is read at the position of each boolean
token of that final JSON, P(true) / (P(true) + P(false)) over the returned top alternatives.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

PARSE_RULE = "final-json-line/v1: shortest JSON-object suffix; bool values; batched keys 1..n all present"


class MalformedVerdict(ValueError):
    """The judge's reply did not end with a well-formed verdict."""


def final_json(text: str) -> dict[str, Any]:
    body = text.rstrip()
    if body.endswith("```"):
        body = body[:-3].rstrip()
    if not body.endswith("}"):
        raise MalformedVerdict("reply does not end with a JSON object")
    for start in range(len(body) - 1, -1, -1):
        if body[start] != "{":
            continue
        try:
            obj = json.loads(body[start:])
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    raise MalformedVerdict("reply ends with '}' but no JSON object parses")


def parse_single(text: str, key: str = "met") -> bool:
    """A one-criterion verdict: `{"met": true}` (or another key, e.g. "refused")."""
    obj = final_json(text)
    if key not in obj:
        raise MalformedVerdict(f"final JSON has no {key!r} key (keys: {sorted(obj)})")
    if not isinstance(obj[key], bool):
        raise MalformedVerdict(f"{key!r} must be true or false, got {obj[key]!r}")
    return obj[key]


def parse_batched(text: str, n: int, key: str = "met") -> list[tuple[int, bool]]:
    """A verdict per criterion: `{"met": {"1": true, "2": false}}`. Returns (item index from 0,
    value) in the order the judge wrote them, which is the order of the boolean tokens."""
    obj = final_json(text)
    inner = obj.get(key)
    if not isinstance(inner, dict):
        raise MalformedVerdict(f"final JSON needs {key!r} mapping criterion numbers to true/false")
    want = {str(k) for k in range(1, n + 1)}
    if set(inner) != want:
        raise MalformedVerdict(f"verdict covers criteria {sorted(inner)}, expected 1..{n}")
    out = []
    for k, v in inner.items():
        if not isinstance(v, bool):
            raise MalformedVerdict(f"criterion {k}: expected true or false, got {v!r}")
        out.append((int(k) - 1, v))
    return out


_LETTERS = re.compile(r"[^a-z]")


def _word(token: str) -> str:
    return _LETTERS.sub("", token.lower())


def boolean_probabilities(logprobs: Any, chosen: Sequence[bool]) -> list[float] | None:
    """P(true) at each of the last len(chosen) boolean tokens of a reply, or None when the logprobs
    cannot be aligned with the parsed verdict (then the caller falls back to the hard verdict).

    `logprobs` is Inspect's `Logprobs` (choices[0].logprobs). The chosen tokens must spell the
    parsed values in order; a missing alternative counts as probability 1 - p(chosen).
    """
    if logprobs is None or not getattr(logprobs, "content", None):
        return None
    positions = [lp for lp in logprobs.content if _word(lp.token) in ("true", "false")]
    if len(positions) < len(chosen):
        return None
    positions = positions[len(positions) - len(chosen):]
    out = []
    for lp, value in zip(positions, chosen, strict=True):
        if (_word(lp.token) == "true") != value:
            return None
        p_true = p_false = None
        for alt in [lp, *(lp.top_logprobs or [])]:
            w = _word(alt.token)
            if w == "true" and p_true is None:
                p_true = math.exp(alt.logprob)
            elif w == "false" and p_false is None:
                p_false = math.exp(alt.logprob)
        if p_true is None:
            p_true = max(0.0, 1.0 - (p_false or 0.0))
        if p_false is None:
            p_false = max(0.0, 1.0 - p_true)
        total = p_true + p_false
        out.append(p_true / total if total > 0 else float(value))
    return out
