"""IFEval (google/IFEval): verifiable instruction following, capability non-regression.

Scored by our own implementation of IFEval's checkers (`capability/ifeval_checks.py`, shared with
our instruction-following items). The score per prompt is the share of its *supported*
instructions followed, strict; an instruction we cannot check (`language:response_language`) is
excluded and recorded in the sample's metadata, and a prompt with none left is excluded.
"""

from __future__ import annotations

import json
from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.evals.capability.ifeval_checks import clean_kwargs, instruction_judge, why_unscorable
from beneficial_rl.evals.common import make_sample, simple_task
from beneficial_rl.evals.hub.loader import env_var, load_rows, require
from beneficial_rl.evals.registry import EvalInfo, register


def _as_list(value: Any, field: str, index: int) -> list:
    """Local CSV copies carry lists as JSON strings; the hub and JSONL copies as lists."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise BrlError(f"ifeval row {index}: {field} is not a list") from None
    if not isinstance(value, list):
        raise BrlError(f"ifeval row {index}: {field} is not a list")
    return value


def samples():
    rows = load_rows("ifeval", "google/IFEval", None, split="train")
    out = []
    for i, r in enumerate(rows):
        require(r, ["key", "prompt", "instruction_id_list", "kwargs"], "ifeval", i)
        ids = [str(x) for x in _as_list(r["instruction_id_list"], "instruction_id_list", i)]
        kwargs = [clean_kwargs(k) for k in _as_list(r["kwargs"], "kwargs", i)]
        if len(ids) != len(kwargs):
            raise BrlError(f"ifeval row {i}: {len(ids)} instruction ids but {len(kwargs)} kwargs entries")
        unscorable = sum(why_unscorable(iid, kw) is not None for iid, kw in zip(ids, kwargs, strict=True))
        out.append(make_sample(f"ifeval-{r['key']}", r["prompt"], instruction_id_list=ids, kwargs=kwargs,
                               n_unscorable=unscorable))
    return out


register(EvalInfo(
    id="ifeval",
    # a reply that ignores the instructions satisfies some of them vacuously ("no commas", "lowercase",
    # "under 50 words"): "Sure." follows about a fifth of them (the audit measured 0.21 for it)
    chance=0.2,
    category="capability", role="capability",
    source="hub:google/IFEval",
    scorer="IFEval instruction checkers (strict), programmatic; unsupported instructions excluded",
    metric="share of supported instructions followed (instruction-level strict accuracy)",
    factory=lambda ctx: simple_task("ifeval", samples(), ctx, instruction_judge()),
    needs_data=env_var("ifeval"),
    description="IFEval's 541 prompts with verifiable constraints; language:response_language is not "
                "checked (no language detector) and is excluded, counted per sample.",
))
