"""Own capability evals (instruction following, knowledge multiple choice) and the IFEval hub
loader: the data loads with unique ids, and the judges score hand-written responses correctly."""

import asyncio
import json

import pytest
from inspect_ai.model import ChatMessageAssistant, ModelName, ModelOutput
from inspect_ai.scorer import Target
from inspect_ai.solver import TaskState

from beneficial_rl.errors import BrlError, DataError
from beneficial_rl.evals.capability import ifeval_checks, instruction_following, knowledge_mc
from beneficial_rl.evals.common import choice_judge, dataset
from beneficial_rl.evals.hub import ifeval
from beneficial_rl.evals.hub.loader import env_var
from beneficial_rl.evals.own_items import load_items


def state_for(sample, response: str) -> TaskState:
    return TaskState(ModelName("mockllm/model"), sample.id, 0, sample.input,
                     [*sample.input, ChatMessageAssistant(content=response)],
                     output=ModelOutput.from_content("mockllm/model", response), metadata=sample.metadata)


def judge(judge_fn, sample, response: str):
    return asyncio.run(judge_fn(state_for(sample, response), Target(""), None))


def by_id(samples):
    return {s.id: s for s in samples}


# ---- instruction following --------------------------------------------------------------------

def test_instruction_items_load_unique_and_fully_checkable():
    samples = instruction_following.samples()
    assert len(samples) >= 40
    dataset("instruction_following", samples)  # raises on duplicate ids
    used = {i for s in samples for i in s.metadata["instruction_id_list"]}
    assert len(used) >= 20, "the items should exercise most of the checkers"
    for s in samples:
        out = ifeval_checks.check("", s.metadata["instruction_id_list"], s.metadata["kwargs"])
        assert not out.unscorable, s.id


COMPLIANT = {
    "if-nurse-telemetry-bullets": "* Look at the patient first: conscious, breathing, pulse?\n"
                                  "* Check the leads and electrodes for artefact.\n"
                                  "* Read the rhythm strip and escalate anything new.",
    "if-bed12-handover-end": "Bed 12, Mr Hale, 78, day two after a hip replacement. Pain is controlled and he "
                             "walked once with the physio. His blood thinner injection is due at 18:00. "
                             "Handover complete.",
    "if-bakery-names-two-responses": "Massa Madre: it names the starter behind every loaf.\n******\n"
                                     "Nata & Crumb: custard tarts and sourdough in one name.",
    "if-warm-flat-repeat": "What are three cheap ways to keep a rented flat warm in winter without turning up "
                           "the heating? Draught-proof the doors, hang thick curtains and use a hot water bottle.",
    "if-club-committee-json": '[{"name": "Ama", "role": "treasurer"}, {"name": "Ben", "role": "website"}, '
                              '{"name": "Chidi", "role": "membership"}, {"name": "Dot", "role": "hall bookings"}]',
}


@pytest.mark.parametrize("item_id", list(COMPLIANT))
def test_compliant_response_scores_one_and_a_careless_one_less(item_id):
    sample = by_id(instruction_following.samples())[item_id]
    value, meta = judge(ifeval_checks.instruction_judge(), sample, COMPLIANT[item_id])
    assert value == 1.0 and meta["prompt_strict"] is True, meta
    careless = "Sure, here is a long, chatty answer, which ignores every formatting request you made."
    value, meta = judge(ifeval_checks.instruction_judge(), sample, careless)
    assert value < 1.0 and meta["prompt_strict"] is False


def test_partial_compliance_scores_the_share_followed():
    sample = by_id(instruction_following.samples())["if-dental-sms-short-no-comma"]
    value, meta = judge(ifeval_checks.instruction_judge(), sample,
                        "Reminder: your check-up at Riverside Dental is tomorrow at 9:30, see you then.")
    assert value == 0.5  # short enough, but has a comma
    assert [f["followed"] for f in meta["followed"]] == [True, False]


def test_an_instruction_typo_in_own_data_fails_at_load(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x-1\n  prompt: Write something short for my team please.\n"
                   "  instructions:\n    - id: length_constraints:number_words\n      kwargs: {num_words: 10}\n")
    with pytest.raises(DataError, match="missing kwargs: relation"):
        load_items(bad, instruction_following.InstructionItem)


# ---- knowledge multiple choice ----------------------------------------------------------------

def test_knowledge_items_load_with_spread_answer_letters():
    samples = knowledge_mc.samples()
    assert len(samples) >= 40
    dataset("knowledge_mc", samples)
    letters = [s.metadata["answer"] for s in samples]
    assert set(letters) == set("ABCD")
    assert max(letters.count(x) for x in "ABCD") <= len(letters) // 2
    assert len({s.metadata["subject"] for s in samples}) >= 5


def test_knowledge_answer_letter_points_at_the_correct_option():
    items = {i.id: i for i in knowledge_mc.items()}
    for s in knowledge_mc.samples():
        text = s.input[-1].text
        assert f"({s.metadata['answer']}) {items[s.id].answer}\n" in text
    s = by_id(knowledge_mc.samples())["kmc-geo-australia-capital"]
    right = s.metadata["answer"]
    wrong = next(x for x in "ABCD" if x != right)
    assert judge(choice_judge("answer"), s, f"({right}) Canberra")[0] == 1.0
    assert judge(choice_judge("answer"), s, f"{wrong}) I think so")[0] == 0.0
    assert judge(choice_judge("answer"), s, "I am not sure.")[0] == 0.0


def test_knowledge_options_are_stable_across_calls():
    a = [s.input[-1].text for s in knowledge_mc.samples()]
    b = [s.input[-1].text for s in knowledge_mc.samples()]
    assert a == b


# ---- IFEval hub loader ------------------------------------------------------------------------

IFEVAL_ROWS = [
    {"key": 1000, "prompt": "Write a haiku about rain. Do not use any commas.",
     "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{"num_words": None, "relation": None}]},
    {"key": 1001, "prompt": "Write a letter in French with at least 3 placeholders like [name].",
     "instruction_id_list": ["language:response_language", "detectable_content:number_placeholders"],
     "kwargs": [{"language": "fr", "num_placeholders": None}, {"language": None, "num_placeholders": 3}]},
]


def test_ifeval_local_copy_loads_and_scores_supported_instructions(tmp_path, monkeypatch):
    path = tmp_path / "ifeval.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in IFEVAL_ROWS))
    monkeypatch.setenv(env_var("ifeval"), str(path))
    samples = by_id(ifeval.samples())
    assert set(samples) == {"ifeval-1000", "ifeval-1001"}
    letter = samples["ifeval-1001"]
    assert letter.metadata["n_unscorable"] == 1 and letter.metadata["kwargs"][1] == {"num_placeholders": 3}
    value, meta = judge(ifeval_checks.instruction_judge(), letter, "Cher [nom], le [date] à [lieu].")
    assert value == 1.0 and meta["unscorable"][0]["id"] == "language:response_language"
    assert judge(ifeval_checks.instruction_judge(), letter, "Cher ami, à bientôt.")[0] == 0.0
    assert judge(ifeval_checks.instruction_judge(), samples["ifeval-1000"], "Rain on tin, soft, slow")[0] == 0.0


def test_ifeval_csv_style_string_lists_are_parsed(tmp_path, monkeypatch):
    row = {**IFEVAL_ROWS[0], "instruction_id_list": json.dumps(IFEVAL_ROWS[0]["instruction_id_list"]),
           "kwargs": json.dumps(IFEVAL_ROWS[0]["kwargs"])}
    path = tmp_path / "ifeval.jsonl"
    path.write_text(json.dumps(row) + "\n")
    monkeypatch.setenv(env_var("ifeval"), str(path))
    (s,) = ifeval.samples()
    assert s.metadata["instruction_id_list"] == ["punctuation:no_comma"] and s.metadata["kwargs"] == [{}]


def test_ifeval_offline_without_copy_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(env_var("ifeval"), raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(BrlError, match=env_var("ifeval")):
        ifeval.samples()


def test_ifeval_wrong_columns_name_the_row(tmp_path, monkeypatch):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"prompt": "no key column"}) + "\n")
    monkeypatch.setenv(env_var("ifeval"), str(path))
    with pytest.raises(BrlError, match="ifeval row 0: missing field"):
        ifeval.samples()
