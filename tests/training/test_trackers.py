"""Experiment trackers through TRL's `report_to`: TensorBoard, offline, on a real (tiny) run."""

from __future__ import annotations

import pytest
from training_helpers import HashGrader, make_scenarios, tiny_config

from beneficial_rl.training.runner import train_arm

pytest.importorskip("tensorboard", reason="tensorboard is a dev extra")


def test_tensorboard_receives_the_training_metrics(tiny_model_path, tmp_path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    cfg = tiny_config(tiny_model_path, steps=2, report_to=["tensorboard"])
    train_arm(cfg, "beneficial", tmp_path / "arm", HashGrader(), scenarios=make_scenarios())
    events = sorted((tmp_path / "arm").rglob("events.out.tfevents.*"))
    assert events, f"no TensorBoard event file under {tmp_path / 'arm'}"
    acc = EventAccumulator(str(events[0].parent))
    acc.Reload()
    tags = acc.Tags()["scalars"]
    assert any(t.endswith("reward") for t in tags), tags
    assert any("brl/" in t for t in tags), tags  # the project's per-source metrics reach the tracker too
    assert len(acc.Scalars(next(t for t in tags if t.endswith("reward")))) == 2
