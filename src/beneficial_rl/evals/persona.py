"""What an eval needs to know about persona prefixes: how one is put in front of a conversation
and how the grader gets the original conversation back.

The persona attack itself (which personas, the solver, eval variants) lives in
`persistence/persona.py`; this part lives with the evals because every scorer strips the persona
before grading (the persona is the attack, not part of what the user asked).
"""

from __future__ import annotations

from inspect_ai.model import ChatMessageSystem

PERSONA_KEY = "persona_prefix"  # sample metadata key holding the persona text that was prepended


def apply_persona(messages: list, text: str) -> list:
    """Return messages with `text` leading the system prompt (works on Inspect messages)."""
    if messages and messages[0].role == "system":
        first = ChatMessageSystem(content=f"{text}\n\n{messages[0].text}")
        return [first, *messages[1:]]
    return [ChatMessageSystem(content=text), *messages]


def strip_persona(messages: list[dict[str, str]], metadata: dict) -> list[dict[str, str]]:
    """Undo `apply_persona` on plain role/content dicts, for grading."""
    text = metadata.get(PERSONA_KEY)
    if not text or not messages or messages[0]["role"] != "system":
        return messages
    rest = messages[0]["content"].removeprefix(text).lstrip("\n")
    return ([{"role": "system", "content": rest}] if rest else []) + messages[1:]
