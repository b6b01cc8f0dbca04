"""The study's taxonomy as data: 15 traits (7 held out for direct evaluation) and 12 domains."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

HERE = Path(__file__).parent


class Trait(BaseModel):
    id: str = Field(description="Stable identifier used in scenario files and configs.")
    name: str = Field(description="Human-readable name.")
    held_out: bool = Field(description="Reserved for direct trait evaluation (eval scenarios never trained on).")
    definition: str = Field(description="One-line definition from the study.")
    failure_modes: list[str] = Field(description="Typical ways a response fails this trait.")


class Domain(BaseModel):
    id: str = Field(description="Stable identifier used in scenario files and configs.")
    name: str = Field(description="Human-readable name.")
    description: str = Field(description="What situations in this domain look like.")


@cache
def traits() -> dict[str, Trait]:
    rows = yaml.safe_load((HERE / "traits.yaml").read_text())
    return {r["id"]: Trait(**r) for r in rows}


@cache
def domains() -> dict[str, Domain]:
    rows = yaml.safe_load((HERE / "domains.yaml").read_text())
    return {r["id"]: Domain(**r) for r in rows}


def held_out_traits() -> list[str]:
    return [t.id for t in traits().values() if t.held_out]
