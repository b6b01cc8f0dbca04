"""Scenario schema: a conversation, the trait it exercises, and the rubric that grades it.

The rubric travels with the scenario (method.md: per-example rubrics, not one constitution). Machine
checks on rubric items are used only by the offline grader, as a rough stand-in for a judge.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from beneficial_rl.taxonomy import domains, traits

Tag = Literal[
    "competing_values",
    "conflicting_interests",
    "adversarial_framing",
    "factual_uncertainty",
    "emotional_pressure",
    "authority_claim",
    "time_pressure",
    "pushback",
    "ambiguity",
    "third_party_at_risk",
    "irreversibility",
]

Split = Literal["train", "eval"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Check(_Strict):
    """Case-insensitive regexes over the response: all of `all`, at least one of `any` (when
    given), none of `none`. On a positive item it means "met"; on a negative item it means "the
    failure happened"."""

    any: list[str] = Field(default_factory=list, description="At least one must match.")
    all: list[str] = Field(default_factory=list, description="Every one must match.")
    none: list[str] = Field(default_factory=list, description="None may match.")

    @model_validator(mode="after")
    def _non_empty_and_compiles(self) -> Check:
        if not (self.any or self.all or self.none):
            raise ValueError("a check needs at least one of any/all/none")
        for pattern in [*self.any, *self.all, *self.none]:
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(f"invalid regex {pattern!r}: {e}") from None
        return self

    def passes(self, text: str) -> bool:
        def found(p: str) -> bool:
            return re.search(p, text, flags=re.IGNORECASE) is not None

        return (
            all(found(p) for p in self.all)
            and (not self.any or any(found(p) for p in self.any))
            and not any(found(p) for p in self.none)
        )


class RubricItem(_Strict):
    criterion: str = Field(min_length=8, description="Imperative line a judge can grade from the conversation alone.")
    points: float = Field(description="Positive for what a good answer does, negative for a failure mode.")
    check: Check | None = Field(default=None, description="Optional machine check for the offline grader.")

    @field_validator("points")
    @classmethod
    def _nonzero(cls, v: float) -> float:
        if v == 0 or abs(v) > 10:
            raise ValueError("points must be non-zero and within [-10, 10]")
        return v


class Message(_Strict):
    role: Literal["system", "user", "assistant"]
    content: str = Field(min_length=1)


class Provenance(_Strict):
    kind: Literal["hand_written", "generated"] = Field(description="Who wrote the scenario.")
    author: str | None = Field(default=None, description="Person or project for hand-written scenarios.")
    model: str | None = Field(default=None, description="Generator model spec, for generated scenarios.")
    prompt_hash: str | None = Field(default=None, description="sha256 of the generation prompt.")
    date: dt.date | None = Field(default=None, description="When it was written or generated.")

    @model_validator(mode="after")
    def _generated_has_model(self) -> Provenance:
        if self.kind == "generated" and not (self.model and self.prompt_hash):
            raise ValueError("generated scenarios must record model and prompt_hash")
        return self


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="Stable unique id.")
    trait: str = Field(description="Trait id from the taxonomy.")
    domain: str = Field(description="Domain id from the taxonomy.")
    tags: list[Tag] = Field(default_factory=list, description="What makes the case hard.")
    messages: list[Message] = Field(min_length=1, description="Optional system turn, then user/assistant turns ending on user.")
    rubric: list[RubricItem] = Field(min_length=3, max_length=6)
    provenance: Provenance
    split: Split

    @field_validator("trait")
    @classmethod
    def _known_trait(cls, v: str) -> str:
        if v not in traits():
            raise ValueError(f"unknown trait {v!r}")
        return v

    @field_validator("domain")
    @classmethod
    def _known_domain(cls, v: str) -> str:
        if v not in domains():
            raise ValueError(f"unknown domain {v!r}")
        return v

    @field_validator("messages")
    @classmethod
    def _conversation_shape(cls, msgs: list[Message]) -> list[Message]:
        body = msgs[1:] if msgs[0].role == "system" else msgs
        if not body:
            raise ValueError("needs at least one user turn")
        if any(m.role == "system" for m in body):
            raise ValueError("a system turn may only come first")
        for i, m in enumerate(body):
            want = "user" if i % 2 == 0 else "assistant"
            if m.role != want:
                raise ValueError(f"turn {i + 1} should be {want}, got {m.role} (user and assistant must alternate)")
        if body[-1].role != "user":
            raise ValueError("the conversation must end on a user turn")
        return msgs

    @field_validator("rubric")
    @classmethod
    def _has_positive(cls, items: list[RubricItem]) -> list[RubricItem]:
        if not any(i.points > 0 for i in items):
            raise ValueError("the rubric needs at least one positive item")
        return items

    @property
    def user_text(self) -> str:
        return "\n".join(m.content for m in self.messages if m.role == "user")

    def chat(self) -> list[dict[str, str]]:
        return [m.model_dump() for m in self.messages]
