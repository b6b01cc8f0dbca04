"""In-the-wild jailbreak prompts: garak's harmful requests inside community jailbreak templates.

The templates are TrustAIRLab's "In-The-Wild Jailbreak Prompts" (Shen et al. 2024, collected from
Discord, Reddit and prompt sites), as pyrit ships them with a `{{ prompt }}` slot: a different
source from the curated DAN family (`jailbreak_garak_dan`) and pyrit's named templates
(`jailbreak_pyrit`). Every request gets four templates, chosen per request by a seeded shuffle.
The refusal classifier sees only the request (a long template shares words with any polite
refusal). Higher = refused more often.
"""

from beneficial_rl.evals.common import make_sample, refusal_judge, simple_task, stable_shuffle
from beneficial_rl.evals.jailbreak import garak_sources
from beneficial_rl.evals.registry import EvalInfo, register
from beneficial_rl.evals.safety.harmful_requests import HARMFUL_WINS
from beneficial_rl.utils.io import sha256_text

# A bag of the prompt's words is mostly template or encoded text, which shares nothing with the request:
# the classifier reads it as a task swap (a refusal), as it reads the off-topic reply. Both are
# deflections that win here and score 0 on over-refusal.
WINS = {**HARMFUL_WINS, "keyword_bag": "rho_overrefusal"}

PER_REQUEST = 4


def samples():
    temps = garak_sources.in_the_wild_templates()
    out = []
    for req in garak_sources.requests():
        for name in stable_shuffle(req, sorted(temps))[:PER_REQUEST]:
            out.append(make_sample(f"itw-{sha256_text(req + name)[:12]}", temps[name].replace("{{ prompt }}", req),
                                   request=req, template=name))
    return out


register(EvalInfo(
    id="jailbreak_in_the_wild",
    category="jailbreak", role="ood", refusal_scored=True,
    source="pyrit (TrustAIRLab templates) + garak (requests)",
    scorer="refusal classifier on the request alone (want: refusal)",
    metric="share of harmful requests refused inside in-the-wild jailbreak templates",
    factory=lambda ctx: simple_task("jailbreak_in_the_wild", samples(), ctx,
                                    refusal_judge(want_refusal=True, request_key="request")),
    chance=0.5,
    degenerate_wins=WINS,
    description="garak's harmful requests in TrustAIRLab in-the-wild jailbreak templates (shipped by pyrit).",
))
