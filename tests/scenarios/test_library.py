"""The shipped library is data the whole study stands on: these are its invariants."""

import json
from collections import Counter

from typer.testing import CliRunner

from beneficial_rl.cli import app
from beneficial_rl.scenarios.contamination import check_library
from beneficial_rl.scenarios.io import load_library
from beneficial_rl.scenarios.stats import library_stats
from beneficial_rl.taxonomy import domains, held_out_traits, traits


def test_every_cell_is_covered():
    train, held = load_library("train"), load_library("eval")
    stats = library_stats(train, held)
    assert stats["train_cells_below_minimum"] == []
    assert stats["eval_cells_below_minimum"] == []
    assert len(train) >= 2 * len(traits()) * len(domains())
    assert len(held) >= len(held_out_traits()) * len(domains())


def test_eval_split_holds_only_held_out_traits_and_no_contamination():
    held = load_library("eval")
    assert {s.trait for s in held} <= set(held_out_traits())
    pairs = check_library()
    assert pairs == [], f"near-duplicate eval/train pairs: {pairs[:5]}"


def test_library_is_varied():
    train = load_library("train")
    first_user = [next(m.content for m in s.messages if m.role == "user") for s in train]
    openings = Counter(" ".join(text.split()[:4]).lower() for text in first_user)
    assert openings.most_common(1)[0][1] <= 4, openings.most_common(3)
    multi_turn = sum(any(m.role == "assistant" for m in s.messages) for s in train)
    assert multi_turn >= len(train) // 5
    assert all(any(i.points < 0 for i in s.rubric) for s in train), "every rubric names a failure mode"


def test_stats_cli_json():
    res = CliRunner().invoke(app, ["scenarios", "stats", "--json", "--evals", "domains"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["ok"] and data["contamination"]["count"] == 0
