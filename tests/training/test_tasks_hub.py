"""Public train splits: a local copy is read through the project's loader pattern; offline without
one, the error names the variable to set; only train splits are accepted."""

from __future__ import annotations

import json
from itertools import islice

import pytest

from beneficial_rl.errors import BrlError
from beneficial_rl.training.config import DataSource
from beneficial_rl.training.tasks import hub, source_stream, verify


def _write(tmp_path, name: str, rows: list[dict]) -> str:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_each_loader_reads_a_local_copy(tmp_path, monkeypatch) -> None:
    copies = {
        "gsm8k_train": [{"question": "Tom has 3 crates of 12 pears and eats 5. How many pears remain?",
                         "answer": "3*12=36, 36-5=31\n#### 31"}],
        "math_train": [{"problem": "Simplify $\\frac{6}{8}$.", "solution": "Divide by 2: $\\boxed{\\frac{3}{4}}$."},
                       {"problem": "Name the set.", "solution": "$\\boxed{\\text{reals}}$"}],
        "mbpp_train": [{"task_id": 601, "text": "Write a function to triple a number.", "code": "def triple(x): return 3*x",
                        "test_list": ["assert triple(2) == 6", "assert triple(0) == 0"], "test_setup_code": ""}],
        "triviaqa_train": [{"question": "Which river flows through the fictional town of Brindlemoor?",
                            "question_id": "tq1", "answer": {"value": "The Lune", "aliases": ["Lune", "River Lune"]}}],
    }
    replies = {"gsm8k_train": "Answer: 31", "math_train": "Answer: 0.75",
               "mbpp_train": "```python\ndef triple(x):\n    return 3 * x\n```", "triviaqa_train": "Answer: river lune"}
    for kind, rows in copies.items():
        monkeypatch.setenv(f"BRL_DATA_{kind.upper()}", _write(tmp_path, kind, rows))
        items, dropped = hub.load_items(DataSource(kind=kind))
        assert len(items) == 1, kind
        assert dropped["unusable"] == len(rows) - 1
        assert verify(items[0].reward_kind, replies[kind], items[0].target) == 1.0, kind
        stream = source_stream(DataSource(kind=kind), "0")
        assert [i.id for i in islice(stream, 3)] == [items[0].id] * 3


def test_offline_without_a_copy_names_the_variable(monkeypatch) -> None:
    monkeypatch.delenv("BRL_DATA_GSM8K_TRAIN", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(BrlError, match="BRL_DATA_GSM8K_TRAIN"):
        hub.load_items(DataSource(kind="gsm8k_train"))


def test_only_train_splits(tmp_path) -> None:
    path = _write(tmp_path, "g", [{"question": "q 1", "answer": "#### 1"}])
    with pytest.raises(BrlError, match="train split only"):
        hub.load_items(DataSource(kind="gsm8k_train", path=path, split="test"))
