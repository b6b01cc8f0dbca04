"""Our own eval items: YAML files next to the eval, validated like the scenario library.

Items are written by hand (see docs/writing-scenarios.md, "Our own evaluation items"), so every
problem must name the file, the item and the field: a typo in a regex or a conversation that ends
on an assistant turn should fail loudly at load time, not silently score 0 at run time. YAML is
used instead of JSONL because long conversations and regexes stay readable in review.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from beneficial_rl.errors import DataError
from beneficial_rl.scenarios.schema import Message, RubricItem

T = TypeVar("T", bound=BaseModel)


class OwnItem(BaseModel):
    """Fields every own item has; evals subclass it with their own fields."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="Stable unique id (results are keyed by it).")


class ChatItem(OwnItem):
    """A conversation (optional system turn, alternating turns ending on the user) to respond to."""

    messages: list[Message] = Field(min_length=1, description="The conversation the model answers.")

    @field_validator("messages")
    @classmethod
    def _shape(cls, msgs: list[Message]) -> list[Message]:
        body = msgs[1:] if msgs[0].role == "system" else msgs
        if not body or body[-1].role != "user":
            raise ValueError("the conversation must end on a user turn")
        for i, m in enumerate(body):
            want = "user" if i % 2 == 0 else "assistant"
            if m.role != want:
                raise ValueError(f"turn {i + 1} should be {want}, got {m.role}")
        return msgs

    def chat(self) -> list[dict[str, str]]:
        return [m.model_dump() for m in self.messages]

    @property
    def user_text(self) -> str:
        return "\n".join(m.content for m in self.messages if m.role == "user")


class RubricChatItem(ChatItem):
    """A conversation graded with its own rubric (the same RubricItem as training scenarios)."""

    rubric: list[RubricItem] = Field(min_length=3, max_length=6, description="Item-specific rubric.")
    topic: str = Field(default="", description="Short label for slicing results (e.g. 'red_flag').")

    @field_validator("rubric")
    @classmethod
    def _has_positive(cls, items: list[RubricItem]) -> list[RubricItem]:
        if not any(i.points > 0 for i in items):
            raise ValueError("the rubric needs at least one positive item")
        return items


def data_file(module_file: str, name: str) -> Path:
    """`data/<name>` next to the eval module that calls this."""
    return Path(module_file).parent / "data" / name


def load_items(path: str | Path, model: type[T]) -> list[T]:
    """Validate every item of a YAML list; all problems are collected, then raised as one error."""
    path = Path(path)
    if not path.is_file():
        raise DataError(str(path), None, None, "no such file (is the package installed with its data?)")
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise DataError(str(path), None, None, f"invalid YAML: {e}") from None
    if not isinstance(rows, list):
        raise DataError(str(path), None, None, "the file must be a YAML list of items")
    items: list[T] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = f"item {i}" + (f" ({row.get('id')})" if isinstance(row, dict) and row.get("id") else "")
        try:
            item = model.model_validate(row)
        except ValidationError as e:
            problems += [f"{where}: {'.'.join(map(str, err['loc'])) or '(item)'}: {err['msg']}" for err in e.errors()]
            continue
        if item.id in seen:  # type: ignore[attr-defined]
            problems.append(f"{where}: duplicate id")
        seen.add(item.id)  # type: ignore[attr-defined]
        items.append(item)
    if problems:
        raise DataError(str(path), None, None, "; ".join(problems[:20]) + (" ..." if len(problems) > 20 else ""))
    return items
