"""Shared test setup: one thread, offline hub, a tiny local model every test can reuse.

Two processes with two threads each ran 30x slower on the 2-core CI machine, so torch is pinned
to one thread before anything imports it.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("INSPECT_LOG_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "brl-test-inspect-logs"))

import re  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # An empty collection would make pytest exit 5 and hide a broken test tree: fail instead.
    if not items and not config.getoption("--collect-only"):
        raise pytest.UsageError("no tests were collected; the test tree or its imports are broken")
    has_cuda = torch.cuda.is_available()
    want_network = os.environ.get("BRL_TEST_NETWORK") == "1"
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(pytest.mark.skip(reason="needs a CUDA GPU"))
        if "network" in item.keywords and not want_network:
            item.add_marker(pytest.mark.skip(reason="needs the network; set BRL_TEST_NETWORK=1"))


@pytest.fixture(scope="session")
def embedded_tokenizer():
    """The real SmolLM2 tokenizer (with its chat template), from the embedded model's cache."""
    from beneficial_rl.models.loading import load_tokenizer

    return load_tokenizer(None)


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory, embedded_tokenizer) -> str:
    """A 2-layer Llama with the embedded tokenizer, saved as an ordinary local model folder.

    Same architecture family and chat template as the default model, about 3.2M parameters, so
    real `train()` and `generate()` calls run in seconds on one CPU thread.
    """
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tok = embedded_tokenizer
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    model = LlamaForCausalLM(config)
    out = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return str(out)


class ScriptedGrader:
    """Marks an item met when its criterion's first word appears in the response; fails on 'FAIL'."""

    name = "scripted"
    approximate = False

    def __init__(self):
        self.calls = 0

    async def grade(self, requests):
        from beneficial_rl.grading.base import GradeResult, ItemVerdict, score

        out = []
        for r in requests:
            self.calls += 1
            if "FAIL" in r.messages[-1]["content"]:
                out.append(GradeResult(r.id, None, failures=1, grader=self.name))
                continue
            met = [float(i.criterion.split()[0].lower() in r.response.lower()) for i in r.rubric]
            out.append(GradeResult(r.id, score(r.rubric, met),
                                   [ItemVerdict(i.criterion, i.points, m) for i, m in zip(r.rubric, met, strict=True)],
                                   grader=self.name))
        return out


class ScriptedRefusal:
    async def classify(self, messages, response):
        return bool(re.search(r"\bcan'?t help\b", response, re.I))


@pytest.fixture
def ctx():
    """An eval context with scripted grading, for tests that run evals on the tiny model."""
    from beneficial_rl.evals.context import EvalContext

    return EvalContext(grader=ScriptedGrader(), refusal=ScriptedRefusal(), max_tokens=8)
