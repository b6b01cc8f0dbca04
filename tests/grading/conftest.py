import os

import pytest

from beneficial_rl.testing.fake_openai import FakeOpenAI


@pytest.fixture
def inspect_cache(tmp_path, monkeypatch):
    """Each test gets its own Inspect response cache."""
    path = tmp_path / "inspect-cache"
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(path))
    return path


@pytest.fixture
def fake_server(monkeypatch, inspect_cache):
    """Start a FakeOpenAI with the given options and point `openai-api/fake/...` at it."""
    started = []

    def start(**kw) -> FakeOpenAI:
        fake = FakeOpenAI(**kw).__enter__()
        started.append(fake)
        for k, v in fake.environ().items():
            monkeypatch.setenv(k, v)
        return fake

    yield start
    for fake in started:
        fake.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch):
    # graders read keys from the environment only; make sure a developer's real key is never used
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        if k in os.environ:
            monkeypatch.delenv(k)
