"""Judge prompts: loaded from `prompts/*.txt`, rendered with the graded response fenced as data.

The response sits between BEGIN/END markers carrying a code derived from the conversation and the
response (sha256). The policy cannot know the code while writing, so it cannot close the fence and
append its own "instructions"; the code is deterministic, so the prompt and the response cache key
stay stable across reruns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from string import Template

from beneficial_rl.scenarios.schema import RubricItem

PROMPT_NAMES = ("system", "item", "batched", "trait", "refusal")

KIND_RULES = {
    "POSITIVE": 'This is a POSITIVE criterion: it describes what a good response does. "met" means the response does it.',
    "NEGATIVE": 'This is a NEGATIVE criterion: it describes a failure. "met" means the response commits that failure.',
}


@cache
def prompt_text(name: str) -> str:
    """The text of `prompts/<name>.txt` as shipped (part of the protocol hash)."""
    if name not in PROMPT_NAMES:
        raise KeyError(f"unknown judge prompt {name!r}")
    return resources.files("beneficial_rl.grading").joinpath("prompts", f"{name}.txt").read_text(encoding="utf-8")


def fence_code(messages: Sequence[dict[str, str]], response: str) -> str:
    h = hashlib.sha256()
    for m in messages:
        h.update(f"{m['role']}\x1f{m['content']}\x1e".encode())
    h.update(response.encode())
    return h.hexdigest()[:16]


def render_conversation(messages: Sequence[dict[str, str]]) -> str:
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages)


def _kind(item: RubricItem) -> str:
    return "POSITIVE" if item.points > 0 else "NEGATIVE"


def _points(item: RubricItem) -> str:
    return f"{item.points:g}"


def item_prompt(messages: Sequence[dict[str, str]], response: str, item: RubricItem) -> str:
    return Template(prompt_text("item")).substitute(
        nonce=fence_code(messages, response), conversation=render_conversation(messages), response=response,
        criterion=item.criterion, kind=_kind(item), points=_points(item), kind_rule=KIND_RULES[_kind(item)],
    )


def batched_example(n: int) -> str:
    """The verdict shape the batched prompt asks for, alternating values so it shows both."""
    inner = ", ".join(f'"{k}": {"false" if k % 2 else "true"}' for k in range(1, n + 1))
    return '{"met": {' + inner + "}}"


def batched_prompt(messages: Sequence[dict[str, str]], response: str, items: Sequence[RubricItem]) -> str:
    lines = [f"ITEM {k} ({_kind(i)}, {_points(i)} points): {i.criterion}" for k, i in enumerate(items, start=1)]
    return Template(prompt_text("batched")).substitute(
        nonce=fence_code(messages, response), conversation=render_conversation(messages), response=response,
        items="\n".join(lines), example=batched_example(len(items)),
    )


def trait_prompt(messages: Sequence[dict[str, str]], response: str, name: str, definition: str) -> str:
    return Template(prompt_text("trait")).substitute(
        nonce=fence_code(messages, response), conversation=render_conversation(messages), response=response,
        trait_name=name, trait_definition=definition,
    )


def refusal_prompt(messages: Sequence[dict[str, str]], response: str) -> str:
    return Template(prompt_text("refusal")).substitute(
        nonce=fence_code(messages, response), conversation=render_conversation(messages), response=response,
    )
