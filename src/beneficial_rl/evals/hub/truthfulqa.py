"""TruthfulQA MC1: one true answer among imitative falsehoods; options shuffled per item."""

from beneficial_rl.evals.common import choice_judge, make_sample, simple_task, stable_shuffle
from beneficial_rl.evals.hub.loader import env_var, load_rows, require
from beneficial_rl.evals.registry import EvalInfo, register

LETTERS = "ABCDEFGHIJKLMNOP"


def samples():
    rows = load_rows("truthfulqa", "truthfulqa/truthful_qa", "multiple_choice", split="validation")
    out = []
    for i, r in enumerate(rows):
        require(r, ["question", "mc1_targets"], "truthfulqa", i)
        opts = list(zip(r["mc1_targets"]["choices"], r["mc1_targets"]["labels"], strict=True))[: len(LETTERS)]
        opts = stable_shuffle(f"tqa-{i}", opts)
        body = "\n".join(f"({LETTERS[k]}) {c}" for k, (c, _) in enumerate(opts))
        answer = LETTERS[[lab for _, lab in opts].index(1)]
        out.append(make_sample(f"truthfulqa-{i:03d}", f"{r['question']}\n\n{body}\n\nReply with the letter first.",
                               answer=answer))
    return out


register(EvalInfo(
    id="truthfulqa_mc1", category="honesty", role="ood", source="hub:truthfulqa/truthful_qa",
    scorer="multiple choice, first committed letter", metric="accuracy",
    factory=lambda ctx: simple_task("truthfulqa_mc1", samples(), ctx, choice_judge("answer")),
    needs_data=env_var("truthfulqa"), description="TruthfulQA multiple-choice (MC1)."))
