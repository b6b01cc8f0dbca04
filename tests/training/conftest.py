"""Fixtures for training tests; the helpers themselves live in training_helpers.py."""

from __future__ import annotations

import pytest
from training_helpers import make_scenarios

from beneficial_rl.scenarios.schema import Scenario


@pytest.fixture(scope="session")
def scenarios() -> list[Scenario]:
    return make_scenarios()
