"""Every verdict, score, flag and signal of the offline grader and its detectors matches the stored
golden snapshot (fixtures/offline_golden.json), so speed work cannot change a decision unnoticed.
How the rows are built and how to regenerate the snapshot: offline_golden.py."""

import pytest
from offline_golden import _h, _inputs, groups, load, records

from beneficial_rl.grading.offline import OfflineGrader
from beneficial_rl.grading.refusal import OfflineRefusalClassifier

MIN_COMPARED = 0.8  # share of the snapshot's groups whose inputs must still exist unchanged


@pytest.mark.slow  # about 9,000 gradings: 20-45 s on the shared 2-core machine
def test_offline_grading_matches_the_golden_snapshot():
    snapshot = load()
    grader, classifier = OfflineGrader(), OfflineRefusalClassifier(topic_check=False)
    compared, changed_inputs, differ = 0, 0, []
    for key, reqs in groups():
        stored = snapshot.get(key)
        if stored is None:
            continue  # a scenario or fixture added after the snapshot
        want_in, want_out = stored.split()
        if _h(_inputs(reqs)) != want_in:
            changed_inputs += 1
            continue
        compared += 1
        if _h(records(reqs, grader, classifier)) != want_out:
            differ.append(key)
    assert not differ, (f"{len(differ)} of {compared} groups grade differently from the snapshot, e.g. {differ[:5]}; "
                        "inspect with `python tests/grading/offline_golden.py --show GROUP`")
    assert compared >= MIN_COMPARED * len(snapshot), (
        f"only {compared} of {len(snapshot)} snapshot groups still have their inputs ({changed_inputs} edited): "
        "regenerate the snapshot with `python tests/grading/offline_golden.py --write` on code whose verdicts "
        "you have checked")
    assert any(k.startswith("refusal_dev:") for k in snapshot) and any(k.startswith("injection:") for k in snapshot)
