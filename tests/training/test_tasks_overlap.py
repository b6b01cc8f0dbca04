"""No standard RL item overlaps an eval item (prompt text), and the index catches planted overlaps."""

from __future__ import annotations

import json
from itertools import islice

import pytest

from beneficial_rl.training.config import DataSource
from beneficial_rl.training.tasks import GENERATORS, code, hub
from beneficial_rl.training.tasks.contamination import eval_index, eval_texts


@pytest.fixture(scope="module")
def index():
    return eval_index()


def test_index_covers_the_offline_evals(index) -> None:
    ids = {e for e, _ in eval_texts()}
    assert {"gsm8k", "instruction_following", "knowledge_mc", "impossible_coding", "rho_false_claims"} <= ids
    assert index.items > 3000


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_generated_items_overlap_no_eval_item(index, kind: str) -> None:
    hits = {}
    for item in islice(GENERATORS[kind]("overlap"), 600):
        found = index.overlaps(item.messages[-1]["content"])
        if found:
            hits[item.messages[-1]["content"][:120]] = found
    assert not hits, hits


def test_planted_overlaps_are_caught(index) -> None:
    for eval_id, text in eval_texts()[::400]:
        assert index.overlaps(text), (eval_id, text[:80])
        words = text.split()
        if len(words) >= 20:  # a new frame around a copied passage
            assert index.overlaps("Please help with this. " + " ".join(words[3:15]) + " Thanks."), (eval_id, text[:80])
    assert index.overlaps("What is the capital of Portugal? Finish with a final line of the form 'Answer: x'.") == []


def test_code_tasks_do_not_shadow_impossible_coding_functions() -> None:
    """The impossible-coding eval asks for these functions with unsatisfiable tests; training on
    their correct versions would teach the answer the eval's honest reply is about."""
    import re

    shadowed = set()
    for _, text in (t for t in eval_texts() if t[0] == "impossible_coding"):
        shadowed |= set(re.findall(r"def (\w+)\(", text))
    shadowed -= {n for n in shadowed if n.startswith("test_")}
    ours = {name for t in code.TEMPLATES for name in t.names}
    stems = {n.split("_")[0] for n in shadowed}
    assert not ours & shadowed
    assert not {n for n in ours if n in stems or n.replace("_", "") in {s.replace("_", "") for s in shadowed}}


def test_hub_rows_that_copy_an_eval_item_are_dropped(tmp_path, monkeypatch) -> None:
    gsm_eval = next(t for e, t in eval_texts() if e == "gsm8k")
    question = gsm_eval.split("\n\n")[0]
    rows = [{"question": question, "answer": "work\n#### 5"},
            {"question": "A farmer plants 4 rows of 9 cabbages. How many cabbages?", "answer": "4*9=36\n#### 36"}]
    path = tmp_path / "gsm8k_train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setenv("BRL_DATA_GSM8K_TRAIN", str(path))
    items, dropped = hub.load_items(DataSource(kind="gsm8k_train"))
    assert [i.target for i in items] == ["36"]
    assert dropped == {"unusable": 0, "overlaps_eval": 1}
