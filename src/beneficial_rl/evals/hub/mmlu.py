"""MMLU: knowledge multiple choice, capability non-regression."""

from beneficial_rl.evals.common import choice_judge, make_sample, simple_task
from beneficial_rl.evals.hub.loader import env_var, load_rows, require
from beneficial_rl.evals.registry import EvalInfo, register


def samples():
    rows = load_rows("mmlu", "cais/mmlu", "all", split="test")
    out = []
    for i, r in enumerate(rows):
        require(r, ["question", "choices", "answer"], "mmlu", i)
        body = "\n".join(f"({'ABCD'[k]}) {c}" for k, c in enumerate(r["choices"]))
        out.append(make_sample(f"mmlu-{i:05d}", f"{r['question']}\n\n{body}\n\nReply with the letter first.",
                               answer="ABCD"[int(r["answer"])], subject=r.get("subject")))
    return out


register(EvalInfo(
    id="mmlu", chance=0.25, category="capability", role="capability", source="hub:cais/mmlu", scorer="multiple choice, letter in answer position",
    metric="accuracy", factory=lambda ctx: simple_task("mmlu", samples(), ctx, choice_judge("answer")),
    needs_data=env_var("mmlu"), description="MMLU (all subjects, test split); use --limit for a subset."))
