"""HealthBench: realistic health conversations with physician-written rubrics.

Its rows already have our shape (a conversation and a list of {criterion, points}), so they are
graded by the same `score()` as our own rubrics. HealthBench is published as JSONL outside the
hub: download it and set BRL_DATA_HEALTHBENCH to the file."""

from beneficial_rl.evals.common import make_sample, rubric_judge, simple_task
from beneficial_rl.evals.hub.loader import env_var, load_rows, require
from beneficial_rl.evals.registry import EvalInfo, register


def samples():
    rows = load_rows("healthbench", None)
    out = []
    for i, r in enumerate(rows):
        require(r, ["prompt", "rubrics"], "healthbench", i)
        rubric = [{"criterion": x["criterion"], "points": x["points"]} for x in r["rubrics"] if x.get("points")]
        out.append(make_sample(f"healthbench-{r.get('prompt_id', i)}", r["prompt"], rubric=rubric))
    return out


register(EvalInfo(
    id="healthbench", chance=0.0, category="health", role="ood", source="hub:openai/healthbench (JSONL)",
    scorer="physician rubric, eval judge", metric="rubric score in [0, 1]",
    factory=lambda ctx: simple_task("healthbench", samples(), ctx, rubric_judge()), judge_scored=True,
    needs_data=env_var("healthbench"), domains=("health",), description="HealthBench conversations and rubrics."))
