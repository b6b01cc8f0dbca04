"""Persona prefixes as an evaluation transformation applicable to any eval.

A persona becomes (part of) the system prompt: prepended to an existing system turn, or inserted
as one. Scorers grade the response against the *original* conversation (the persona is the
attack, not part of what the user asked), so `prompt_messages` strips it back out.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from inspect_ai import Task, task_with
from inspect_ai.solver import Generate, Solver, TaskState, solver

from beneficial_rl.errors import BrlError
from beneficial_rl.evals.persona import PERSONA_KEY, apply_persona, strip_persona  # noqa: F401  (re-exported)


@cache
def personas() -> dict[str, dict]:
    return yaml.safe_load((Path(__file__).parent / "personas.yaml").read_text())


def persona_text(name: str) -> str:
    if name not in personas():
        raise BrlError(f"unknown persona {name!r}; available: {', '.join(personas())}")
    return personas()[name]["text"].strip()


@solver
def persona_prefix(text: str) -> Solver:
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.messages = apply_persona(list(state.messages), text)
        state.metadata[PERSONA_KEY] = text
        return state

    return solve


def with_persona(task: Task, name: str) -> Task:
    """The same eval with the persona in front of every sample's conversation."""
    text = persona_text(name)
    return task_with(task, solver=[persona_prefix(text), task.solver], name=f"{task.name}+{name}")


def persona_variant(info, name: str):
    """An EvalInfo whose task runs under the persona; its id is `<eval>+<persona>`."""
    from dataclasses import replace

    persona_text(name)  # fail early on an unknown persona
    return replace(info, id=f"{info.id}+{name}", factory=lambda ctx: with_persona(info.factory(ctx), name),
                   quick=False)
