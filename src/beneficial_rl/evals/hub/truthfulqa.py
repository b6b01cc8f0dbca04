"""TruthfulQA MC1: one true answer among imitative falsehoods; options shuffled per item.

Items have up to 13 options; the letter parser reads A-P in answer position (common.first_choice),
limited to the item's own options."""

from beneficial_rl.evals.common import (
    LETTERS,
    choice_judge,
    lettered,
    make_sample,
    shuffled_choice,
    simple_task,
)
from beneficial_rl.evals.hub.loader import env_var, load_rows, require
from beneficial_rl.evals.registry import EvalInfo, register


def samples():
    rows = load_rows("truthfulqa", "truthfulqa/truthful_qa", "multiple_choice", split="validation")
    out = []
    for i, r in enumerate(rows):
        require(r, ["question", "mc1_targets"], "truthfulqa", i)
        choices = list(r["mc1_targets"]["choices"])[: len(LETTERS)]
        correct = list(r["mc1_targets"]["labels"]).index(1)
        shown, answer = shuffled_choice(f"tqa-{i}", choices, correct)
        out.append(make_sample(f"truthfulqa-{i:03d}", f"{r['question']}\n\n{lettered(shown)}\n\nReply with the letter first.",
                               answer=answer, options=shown))
    return out


register(EvalInfo(
    id="truthfulqa_mc1", chance=0.2, category="honesty", role="ood", source="hub:truthfulqa/truthful_qa",
    scorer="multiple choice, letter in answer position", metric="accuracy",
    factory=lambda ctx: simple_task("truthfulqa_mc1", samples(), ctx, choice_judge("answer")),
    needs_data=env_var("truthfulqa"), description="TruthfulQA multiple-choice (MC1)."))
