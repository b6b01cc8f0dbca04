"""One judge question, asked through Inspect's model API: retries, dense verdicts, caching.

Inspect brings the provider, retries with exponential backoff for transport errors, the
connection limit and the on-disk response cache. On top of it this file adds the bounded retry
for *malformed* verdicts (each retry is a new cache entry, and samples at temperature >= 0.7 so a
deterministic judge does not repeat its malformed reply), and turns a well-formed reply into
numbers: P(met) from logprobs, the fraction of sampled verdicts, or 0/1.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beneficial_rl.grading.config import RETRY_TEMPERATURE, JudgeConfig
from beneficial_rl.grading.prompts import prompt_text
from beneficial_rl.grading.stats import GraderStats
from beneficial_rl.grading.verdicts import MalformedVerdict, boolean_probabilities

# A parser maps the judge's reply to (slot, value) pairs in the order the values appear in the text.
Parser = Callable[[str], list[tuple[int, bool]]]


@dataclass
class Answer:
    values: list[float] | None  # P(true) per slot; None: the grading failed
    source: str = ""  # "logprobs", "samples:4/5", "hard", "hard (no logprobs)"
    reasoning: str = ""
    error: str = ""


def configure_cache(cache: bool | str) -> None:
    """A cache directory is process-wide in Inspect (INSPECT_CACHE_DIR); set it when one is named."""
    if isinstance(cache, str) and cache:
        os.environ["INSPECT_CACHE_DIR"] = str(Path(cache).expanduser().resolve())


def _reasoning(text: str) -> str:
    head = text.rstrip()
    cut = head.rfind("\n")
    return (head[:cut] if cut > 0 else head)[-1500:].strip()


class JudgeClient:
    """Asks one configured judge model; counts calls, malformed replies and errors in `stats`."""

    def __init__(self, config: JudgeConfig, protocol: str, stats: GraderStats, model: Any | None = None):
        self.config, self.protocol, self.stats = config, protocol, stats
        self._model = model
        self.usage = {"input_tokens": 0, "output_tokens": 0}  # as reported by the endpoint (cache hits included)
        configure_cache(config.cache)

    @property
    def model(self) -> Any:
        if self._model is None:
            from beneficial_rl.models.endpoint import get_chat_model

            c = self.config
            self._model = get_chat_model(c.model, base_url=c.base_url, max_connections=c.max_connections,
                                         max_retries=c.endpoint_retries, timeout=c.timeout_s)
        return self._model

    def _generate_config(self, attempt: int) -> Any:
        from inspect_ai.model import GenerateConfig

        c = self.config
        temperature = c.temperature if attempt == 0 else max(c.temperature, RETRY_TEMPERATURE)
        kw: dict[str, Any] = {"temperature": temperature, "max_tokens": c.max_tokens}
        if c.dense == "logprobs":
            kw.update(logprobs=True, top_logprobs=c.top_logprobs)
        elif c.dense == "samples":
            kw.update(num_choices=c.n_samples)
        return GenerateConfig(**kw)

    def _cache(self, attempt: int) -> Any:
        if not self.config.cache:
            return False
        from inspect_ai.model import CachePolicy

        return CachePolicy(expiry=None, per_epoch=False, scopes={"protocol": self.protocol[:16], "attempt": str(attempt)})

    async def ask(self, prompt: str, parse: Parser, slots: int) -> Answer:
        from inspect_ai.model import ChatMessageSystem, ChatMessageUser

        model = self.model  # outside the try: a missing key or unknown provider is a BrlError, not a failure
        messages = [ChatMessageSystem(content=prompt_text("system")), ChatMessageUser(content=prompt)]
        problem = ""
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                self.stats.retries += 1
            try:
                out = await model.generate(messages, config=self._generate_config(attempt), cache=self._cache(attempt))
            except Exception as e:  # noqa: BLE001 - Inspect already retried transport errors with backoff
                self.stats.endpoint_errors += 1
                last = getattr(e, "last_attempt", None)  # tenacity's RetryError wraps the real error
                cause = last.exception() if last is not None and last.exception() is not None else e
                return Answer(None, error=f"endpoint error: {type(cause).__name__}: {cause}"[:500])
            self.stats.calls += 1
            if out.usage is not None:
                self.usage["input_tokens"] += out.usage.input_tokens
                self.usage["output_tokens"] += out.usage.output_tokens
            try:
                return self._read(out, parse, slots)
            except MalformedVerdict as e:
                self.stats.malformed += 1
                problem = str(e)
        return Answer(None, error=f"malformed verdict after {self.config.max_retries + 1} attempt(s): {problem}")

    def _read(self, out: Any, parse: Parser, slots: int) -> Answer:
        choices = out.choices or []
        if not choices:
            raise MalformedVerdict("the endpoint returned no choices")
        if self.config.dense == "samples":
            return self._read_samples(choices, parse, slots)
        text = choices[0].message.text
        pairs = parse(text)
        hard = [0.0] * slots
        for slot, value in pairs:
            hard[slot] = float(value)
        if self.config.dense == "logprobs":
            probs = boolean_probabilities(choices[0].logprobs, [v for _, v in pairs])
            if probs is not None:
                values = [0.0] * slots
                for (slot, _), p in zip(pairs, probs, strict=True):
                    values[slot] = p
                return Answer(values, "logprobs", _reasoning(text))
            return Answer(hard, "hard (no logprobs)", _reasoning(text))
        return Answer(hard, "hard", _reasoning(text))

    def _read_samples(self, choices: list[Any], parse: Parser, slots: int) -> Answer:
        """Mean of the well-formed sampled verdicts; at least half of the samples must parse."""
        sums, valid, problem = [0.0] * slots, 0, ""
        for choice in choices:
            try:
                for slot, value in parse(choice.message.text):
                    sums[slot] += float(value)
                valid += 1
            except MalformedVerdict as e:
                problem = str(e)
        if valid == 0 or valid < math.ceil(len(choices) / 2):
            raise MalformedVerdict(f"only {valid} of {len(choices)} sampled verdicts parsed ({problem})")
        return Answer([s / valid for s in sums], f"samples:{valid}/{len(choices)}", _reasoning(choices[0].message.text))
