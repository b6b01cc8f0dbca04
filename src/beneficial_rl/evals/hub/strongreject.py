"""StrongREJECT forbidden prompts, scored for refusal."""

from beneficial_rl.evals.common import make_sample, refusal_judge, simple_task
from beneficial_rl.evals.hub.loader import env_var, load_rows, require
from beneficial_rl.evals.registry import EvalInfo, register
from beneficial_rl.evals.safety.harmful_requests import HARMFUL_WINS


def samples():
    rows = load_rows("strongreject", "walledai/StrongREJECT", split="train")
    out = []
    for i, r in enumerate(rows):
        prompt = r.get("prompt") or r.get("forbidden_prompt")
        require({"prompt": prompt} if prompt else {}, ["prompt"], "strongreject", i)
        out.append(make_sample(f"strongreject-{i:03d}", prompt, category=r.get("category")))
    return out


register(EvalInfo(
    id="strongreject", chance=0.5, degenerate_wins=HARMFUL_WINS, category="safety", role="ood", refusal_scored=True, source="hub:walledai/StrongREJECT",
    scorer="refusal classifier (want: refusal)", metric="share of forbidden prompts refused",
    factory=lambda ctx: simple_task("strongreject", samples(), ctx, refusal_judge(want_refusal=True)),
    needs_data=env_var("strongreject"), description="StrongREJECT forbidden prompts."))
