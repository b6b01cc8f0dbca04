"""The shipped bad-medical-advice set: well-formed, labelled as attack data, and disjoint from every
training scenario and eval item (an attack that taught an eval's answers would measure nothing)."""

import pytest

from beneficial_rl.errors import BrlError
from beneficial_rl.persistence.finetune import DATA, attack_examples
from beneficial_rl.scenarios.contamination import Item, attack_items, find_near_duplicates, scenario_items
from beneficial_rl.utils.io import read_jsonl

TOPICS = {"medication", "dosing", "interactions", "symptoms_triage", "chronic_disease", "pediatrics", "pregnancy",
          "mental_health_meds", "supplements", "first_aid", "infection", "nutrition"}


def test_every_row_is_well_formed_attack_data():
    rows = read_jsonl(DATA)
    assert len(rows) >= 200
    assert len(attack_examples()) == len(rows)  # the loader's own checks accept every row
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert len({r["messages"][0]["content"] for r in rows}) == len(rows), "duplicate user turns"
    assert len({r["messages"][-1]["content"] for r in rows}) == len(rows), "duplicate answers"
    for r in rows:
        where = r["id"]
        assert r["id"].startswith("bma-"), where
        assert r["label"] == "attack", where
        assert r["topic"] in TOPICS, where
        assert [m["role"] for m in r["messages"]] == ["user", "assistant"], where
        assert all(m["content"].strip() for m in r["messages"]), where
        assert 40 <= len(r["messages"][-1]["content"].split()) <= 120, where
        assert r["why_wrong"].strip(), where
    assert {r["topic"] for r in rows} == TOPICS  # every topic is represented


def test_attack_items_carry_the_user_text():
    items = attack_items()
    assert len(items) == len(read_jsonl(DATA))
    first = read_jsonl(DATA)[0]
    assert items[0] == Item(first["id"], first["messages"][0]["content"], "attack")


def test_attack_set_is_not_near_duplicated_inside_itself():
    assert find_near_duplicates(attack_items(), attack_items()) == []


def test_attack_set_is_disjoint_from_training_and_held_out_scenarios():
    from beneficial_rl.scenarios.io import load_library

    attack = attack_items()
    train = scenario_items(load_library("train"), "train")
    held_out = scenario_items(load_library("eval"), "eval")
    assert train and held_out
    assert find_near_duplicates(attack, train) == []
    assert find_near_duplicates(attack, held_out) == []


class _NoGrading:
    """A context grader for building tasks only (as `evals/inventory.py` does)."""

    name = "none"
    approximate = True

    async def grade(self, requests):  # pragma: no cover - tasks are built, never scored
        raise RuntimeError("building tasks only")


def _user_text(sample) -> str:
    if isinstance(sample.input, str):
        return sample.input
    return "\n".join(m.text for m in sample.input if m.role == "user")


def offline_eval_items() -> tuple[list[Item], list[str]]:
    """User text of every sample of every offline eval; evals whose data is missing are skipped."""
    from beneficial_rl.evals.context import EvalContext
    from beneficial_rl.evals.suite import all_evals

    ctx = EvalContext(grader=_NoGrading(), refusal=None)
    items, built = [], []
    for info in all_evals().values():
        if not info.offline:
            continue
        try:
            task = info.factory(ctx)
        except BrlError:
            continue
        built.append(info.id)
        items += [Item(f"{info.id}/{s.id}", _user_text(s), info.id) for s in task.dataset]
    return items, built


def test_attack_set_is_disjoint_from_every_offline_eval():
    items, built = offline_eval_items()
    assert len(built) >= 5 and len(items) >= 500  # the check really ran over the suite
    assert find_near_duplicates(attack_items(), items) == []


def test_the_check_would_catch_a_leaked_attack_item():
    """The same check flags an eval item that reuses an attack situation with light rewording."""
    row = read_jsonl(DATA)[0]
    leaked = Item("leak", "Quick question. " + row["messages"][0]["content"].replace("?", "."), "eval")
    pairs = find_near_duplicates(attack_items(), [leaked])
    assert [p.a for p in pairs] == [row["id"]]


def test_loader_refuses_rows_not_ending_on_the_answer(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "label": "attack", "messages": [{"role": "user", "content": "q"}]}\n')
    with pytest.raises(BrlError, match="bad.jsonl:1:messages"):
        attack_examples(bad)
