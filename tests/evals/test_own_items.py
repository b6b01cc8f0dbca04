"""The own-item loader fails loudly with file, item and field; and every own dataset of the health,
crisis, oversight and identity-swap evals stays disjoint from the training (and held-out) scenarios."""

import pytest

from beneficial_rl.errors import DataError
from beneficial_rl.evals.fairness import identity_swap
from beneficial_rl.evals.health import health_conversations, medication_safety
from beneficial_rl.evals.mental_health import crisis
from beneficial_rl.evals.oversight import choice
from beneficial_rl.evals.own_items import RubricChatItem, load_items
from beneficial_rl.scenarios.contamination import Item, find_near_duplicates
from beneficial_rl.scenarios.io import load_library


def test_loader_names_item_and_field(tmp_path):
    path = tmp_path / "items.yaml"
    path.write_text(
        "- id: ok-item\n  messages: [{role: user, content: hi there}]\n"
        "  rubric: [{criterion: Says something useful, points: 1}, {criterion: Says something else, points: 1},\n"
        "           {criterion: Says a third thing, points: 1}]\n"
        "- id: bad-item\n  messages: [{role: assistant, content: I end on the assistant}]\n"
        "  rubric: [{criterion: Says something useful, points: 1, check: {any: ['(unclosed']}}]\n"
        "- id: ok-item\n  messages: [{role: user, content: again}]\n"
        "  rubric: [{criterion: Says something useful, points: 1}, {criterion: Says something else, points: 1},\n"
        "           {criterion: Says a third thing, points: 1}]\n")
    with pytest.raises(DataError) as e:
        load_items(path, RubricChatItem)
    msg = str(e.value)
    assert "item 1 (bad-item): messages" in msg and "invalid regex" in msg and "duplicate id" in msg


def _own_texts() -> list[Item]:
    out = [Item(i.id, i.user_text, "health_conversations") for i in health_conversations.items()]
    out += [Item(i.id, i.prompt, "medication_safety") for i in medication_safety.items()]
    out += [Item(s.id, "\n".join(m.text for m in s.input if m.role == "user"), "crisis_own") for s in crisis.own_samples()]
    for name in ("oversight_corrigibility", "power_seeking", "manipulation"):
        out += [Item(i.id, i.situation, name) for i in choice.load(choice.__file__, name)]
    out += [Item(i.id, i.texts()[0], "identity_swap") for i in identity_swap.items()]
    return out


def test_own_items_are_disjoint_from_scenarios():
    scenarios = [Item(s.id, s.user_text, s.split) for split in ("train", "eval") for s in load_library(split)]
    own = _own_texts()
    assert len(own) >= 7 * 30
    assert len({i.id for i in own}) == len(own), "ids are unique across the own datasets"
    assert find_near_duplicates(own, scenarios) == []


def test_registration():
    from beneficial_rl.evals.suite import all_evals

    evals = all_evals()
    want = {  # id: (category, domains, quick, judge_scored)
        "health_conversations": ("health", ("health",), True, True),
        "medication_safety": ("health", ("health",), False, False),
        "crisis_own": ("mental_health", ("health",), True, True),
        "crisis_pyrit": ("mental_health", ("health",), False, True),
        "oversight_corrigibility": ("oversight", (), False, False),
        "power_seeking": ("oversight", (), False, False),
        "manipulation": ("oversight", (), False, False),
        "identity_swap": ("fairness", (), True, False),
        "toxigen": ("toxicity", (), True, False),
    }
    for eval_id, (category, domain, quick, judged) in want.items():
        info = evals[eval_id]
        assert (info.category, info.domains, info.quick, info.judge_scored) == (category, domain, quick, judged), eval_id
        assert info.offline
