"""Generate new scenarios with any chat model, validated, de-duplicated and with provenance.

The model is conditioned on the trait and domain descriptions plus hard-case steering (method.md,
"Data"). Malformed outputs are retried a bounded number of times and counted; outputs that
near-duplicate the library or an earlier generation are rejected and counted. Nothing is written
until the batch is done, and then atomically, so a failed run never leaves a half file.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from pydantic import ValidationError

from beneficial_rl.errors import BrlError
from beneficial_rl.scenarios.contamination import DEFAULT_THRESHOLD, Item, find_near_duplicates
from beneficial_rl.scenarios.schema import Scenario, Tag
from beneficial_rl.taxonomy import domains, traits
from beneficial_rl.utils.io import atomic_write_jsonl, read_jsonl, sha256_text

PROMPT = (Path(__file__).parent / "prompts" / "generate.txt").read_text()
Complete = Callable[[list[dict[str, str]]], Awaitable[str]]

STEERING = [
    "competing values (the person's autonomy against their safety)",
    "conflicting interests (a third party with less power is affected)",
    "adversarial framing ('I already know the risks, just answer')",
    "factual uncertainty (the honest answer is 'it depends' or 'nobody knows')",
    "emotional pressure",
    "an authority claim (a boss, a doctor, an official says otherwise)",
    "time pressure (a deadline in hours)",
    "pushback on an earlier answer",
]
REGISTERS = ["terse", "rambling and anxious", "non-native English", "expert jargon", "frustrated", "casual"]


class MalformedOutput(Exception):
    """The model's reply had no parseable, schema-valid scenario."""


@dataclass
class GenerationReport:
    requested: int
    written: int = 0
    attempts: int = 0
    malformed: int = 0  # replies that failed parsing or validation (each retried)
    duplicates: int = 0  # valid scenarios rejected as near-duplicates
    gave_up: int = 0  # slots abandoned after max_retries
    errors: list[str] = field(default_factory=list)


def build_prompt(trait: str, domain: str, existing: Sequence[Scenario], rng: random.Random) -> str:
    t, d = traits()[trait], domains()[domain]
    cell = [s for s in existing if s.trait == trait and s.domain == domain]
    summary = "\n".join(f"- {s.user_text[:160]!r}" for s in cell[:8]) or "- (none yet)"
    return PROMPT.format(
        trait_name=t.name,
        trait_definition=t.definition,
        failure_modes="\n".join(f"- {f}" for f in t.failure_modes),
        domain_name=d.name,
        domain_description=d.description,
        steering=", ".join(rng.sample(STEERING, 2)),
        register=rng.choice(REGISTERS),
        turns=rng.choice([1, 1, 2, 3]),
        existing=summary,
        tags=", ".join(get_args(Tag)),
    )


def parse_reply(reply: str, trait: str, domain: str, model: str, prompt: str) -> Scenario:
    """Take the last JSON object in the reply (the model may reason first) and validate it."""
    blocks = re.findall(r"```(?:json)?\s*(\{.*?\})\s*```", reply, flags=re.DOTALL)
    candidate = blocks[-1] if blocks else reply[reply.find("{") : reply.rfind("}") + 1]
    try:
        obj = json.loads(candidate)
    except json.JSONDecodeError as e:
        raise MalformedOutput(f"no JSON object ({e.msg})") from None
    if not isinstance(obj, dict):
        raise MalformedOutput("JSON is not an object")
    body = {k: obj.get(k) for k in ("tags", "messages", "rubric")}
    user = " ".join(m.get("content", "") for m in body["messages"] or [] if isinstance(m, dict))
    row = {
        "id": f"{trait}-{domain}-gen-{sha256_text(user)[:10]}",
        "trait": trait,
        "domain": domain,
        **body,
        "provenance": {
            "kind": "generated",
            "model": model,
            "prompt_hash": sha256_text(prompt),
            "date": dt.date.today().isoformat(),
        },
        "split": "train",
    }
    try:
        return Scenario.model_validate(row)
    except ValidationError as e:
        first = e.errors()[0]
        raise MalformedOutput(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


async def generate(
    trait: str,
    domain: str,
    n: int,
    complete: Complete,
    model: str,
    existing: Sequence[Scenario] = (),
    max_retries: int = 3,
    seed: int = 0,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[list[Scenario], GenerationReport]:
    """Ask for `n` scenarios; each slot gets at most 1 + max_retries attempts."""
    if trait not in traits():
        raise BrlError(f"unknown trait {trait!r}; see `brl traits`")
    if domain not in domains():
        raise BrlError(f"unknown domain {domain!r}; see `brl domains`")
    rng = random.Random(seed)
    report = GenerationReport(requested=n)
    accepted: list[Scenario] = []
    pool = [Item(s.id, s.user_text) for s in existing]
    for _ in range(n):
        for _attempt in range(1 + max_retries):
            report.attempts += 1
            prompt = build_prompt(trait, domain, [*existing, *accepted], rng)
            reply = await complete([{"role": "user", "content": prompt}])
            try:
                sc = parse_reply(reply, trait, domain, model, prompt)
            except MalformedOutput as e:
                report.malformed += 1
                report.errors.append(str(e))
                continue
            if find_near_duplicates([Item(sc.id, sc.user_text)], pool, threshold=threshold) or any(
                sc.id == a.id for a in accepted
            ):
                report.duplicates += 1
                continue
            accepted.append(sc)
            pool.append(Item(sc.id, sc.user_text))
            break
        else:
            report.gave_up += 1
    report.written = len(accepted)
    return accepted, report


def write_scenarios(path: str | Path, new: Sequence[Scenario]) -> Path:
    """Append `new` to `path` (keeping its existing rows) in one atomic write."""
    path = Path(path)
    rows = read_jsonl(path) if path.exists() else []
    rows += [s.model_dump(mode="json", exclude_none=True) for s in new]
    return atomic_write_jsonl(path, rows)


def endpoint_completer(spec: str, base_url: str | None = None, temperature: float = 0.9) -> Complete:
    """A `Complete` over any chat endpoint (OpenAI-compatible, vLLM, ...) via Inspect."""
    from beneficial_rl.models.endpoint import chat_endpoint, get_chat_model

    model = get_chat_model(spec, base_url=base_url)

    async def complete(messages: list[dict[str, str]]) -> str:
        return await chat_endpoint(model, messages, temperature=temperature, max_tokens=2048)

    return complete
