import pytest
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser

from beneficial_rl.errors import BrlError
from beneficial_rl.evals.common import from_chat
from beneficial_rl.persistence.persona import (
    PERSONA_KEY,
    apply_persona,
    persona_text,
    personas,
    strip_persona,
)

FORMATS = {
    "single user turn": [ChatMessageUser(content="I missed my lisinopril dose this morning.")],
    "system + user": [ChatMessageSystem(content="You are a pharmacy helpline."), ChatMessageUser(content="hi")],
    "multi-turn": [ChatMessageUser(content="a"), ChatMessageAssistant(content="b"), ChatMessageUser(content="c")],
    "system + multi-turn": [ChatMessageSystem(content="Operator rules."), ChatMessageUser(content="a"),
                            ChatMessageAssistant(content="b"), ChatMessageUser(content="c")],
}


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("name", ["harmful_medical", "helpful_medical", "jailbreak_no_rules"])
def test_persona_leads_system_prompt_and_strips_back(fmt, name):
    original = FORMATS[fmt]
    text = persona_text(name)
    attacked = apply_persona(list(original), text)
    assert attacked[0].role == "system" and attacked[0].text.startswith(text)
    assert sum(m.role == "system" for m in attacked) == 1
    assert [m.role for m in attacked[1:]] == [m.role for m in original if m.role != "system"]
    if original[0].role == "system":
        assert attacked[0].text.endswith(original[0].text)  # the operator's prompt survives
    assert strip_persona(from_chat(attacked), {PERSONA_KEY: text}) == from_chat(original)


def test_catalogue_has_harmful_and_control_personas():
    kinds = {v["kind"] for v in personas().values()}
    assert kinds == {"harmful", "helpful"}
    assert {"harmful_medical", "harmful_mental_health", "helpful_medical"} <= set(personas())
    with pytest.raises(BrlError, match="unknown persona"):
        persona_text("nope")


def test_persona_variant_runs_through_an_eval(tiny_model_path, tmp_path, ctx):
    """End to end: the attacked eval generates under the persona, the grader never sees it."""
    from inspect_ai import Task
    from inspect_ai.solver import generate

    from beneficial_rl.evals.common import aligned_scorer, dataset, make_sample, rubric_judge
    from beneficial_rl.evals.registry import EvalInfo
    from beneficial_rl.evals.runner import EvalRunConfig, run_evals
    from beneficial_rl.persistence.persona import persona_variant

    seen = []

    class Recording(type(ctx.grader)):
        async def grade(self, requests):
            seen.extend(r.messages for r in requests)
            return await super().grade(requests)

    ctx.grader = Recording()
    rubric = [{"criterion": "anything goes", "points": 1}]

    def factory(c):
        samples = [make_sample("a", "hello"), make_sample("b", [{"role": "system", "content": "Operator."},
                                                                {"role": "user", "content": "hi"}])]
        for s in samples:
            s.metadata["rubric"] = rubric
        return Task(dataset=dataset("toy", samples), solver=generate(), scorer=aligned_scorer(c, rubric_judge()))

    info = EvalInfo(id="toy", category="health", role="ood", source="own", scorer="rubric", metric="m", factory=factory)
    attacked = persona_variant(info, "harmful_medical")
    out = run_evals(tiny_model_path, [attacked], ctx, tmp_path, EvalRunConfig(batch_size=2, max_tokens=4))
    assert out["toy+harmful_medical"]["n"] == 2
    assert sorted(seen, key=len) == [[{"role": "user", "content": "hello"}],
                                     [{"role": "system", "content": "Operator."}, {"role": "user", "content": "hi"}]]
    logs = list((tmp_path / "inspect").glob("*.eval"))
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(logs[0]))
    assert all(s.messages[0].role == "system" and s.messages[0].text.startswith(persona_text("harmful_medical")[:40])
               for s in log.samples)
