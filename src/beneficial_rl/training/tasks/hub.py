"""Train splits of public datasets (GSM8K, MATH, MBPP, TriviaQA) as standard RL sources.

Same pattern as the hub evals (`evals/hub/loader.py`): a local copy named by an environment
variable (`BRL_DATA_GSM8K_TRAIN`, ...; JSONL/JSON/CSV/Parquet with the dataset's own columns) is
read when set; otherwise `datasets.load_dataset` fetches the train split when the hub is online.
Offline without a local copy, a configured source stops the run with a message naming the
variable: a source that silently vanished would change the mixture one arm trains on. Rows that
overlap an eval item (contamination.py) are dropped before training and counted.
"""

from __future__ import annotations

import functools
import logging
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from beneficial_rl.errors import BrlError
from beneficial_rl.training.config import DataSource
from beneficial_rl.training.tasks import code as code_task
from beneficial_rl.training.tasks.base import ANSWER_INSTRUCTION, EXACT_ANSWER_INSTRUCTION, StandardItem, user
from beneficial_rl.training.tasks.qa import QA_INSTRUCTION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubSpec:
    hub_id: str
    config: str | None
    convert: Callable[[dict, str, int], StandardItem | None]  # row -> item (None: row unusable)


def _gsm8k(row: dict, task: str, i: int) -> StandardItem | None:
    question, answer = row.get("question"), row.get("answer")
    if not question or not answer or "####" not in str(answer):
        return None
    return StandardItem(f"{task}-{i}", task, user(f"{question}\n\n{ANSWER_INSTRUCTION}"), "math",
                        str(answer).rsplit("####", 1)[-1].strip())


_BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}")


def _math(row: dict, task: str, i: int) -> StandardItem | None:
    problem = row.get("problem")
    boxed = _BOXED.findall(str(row.get("solution", "")))
    answer = row.get("answer") or (boxed[-1] if boxed else None)
    if not problem or not answer or not re.search(r"\d", answer):
        return None  # answers without a number (an interval of symbols, a word) are left out
    return StandardItem(f"{task}-{i}", task, user(f"{problem}\n\n{EXACT_ANSWER_INSTRUCTION}"), "math", answer)


def _mbpp(row: dict, task: str, i: int) -> StandardItem | None:
    text, tests = row.get("text") or row.get("prompt"), list(row.get("test_list") or [])
    entry = re.match(r"\s*assert\s+(?:not\s+)?\(?\s*(?:set\()?(\w+)\(", tests[0]) if tests else None
    if not text or not tests or entry is None:
        return None
    prompt = (f"{text} The function must be called `{entry.group(1)}`. For example, this test must pass: "
              f"`{tests[0]}`. {code_task.CODE_INSTRUCTION}")
    target = {"entry": entry.group(1), "tests": tests, "setup": row.get("test_setup_code") or ""}
    return StandardItem(f"{task}-{row.get('task_id', i)}", task, user(prompt), "code", target)


def _triviaqa(row: dict, task: str, i: int) -> StandardItem | None:
    question, answer = row.get("question"), row.get("answer") or {}
    aliases = list(dict.fromkeys([answer.get("value", ""), *answer.get("aliases", [])])) if isinstance(answer, dict) \
        else [str(answer)]
    aliases = [a for a in aliases if a and a.strip()]
    if not question or not aliases:
        return None
    return StandardItem(f"{task}-{row.get('question_id', i)}", task, user(f"{question} {QA_INSTRUCTION}"), "qa",
                        {"aliases": aliases})


LOADERS: dict[str, HubSpec] = {
    "gsm8k_train": HubSpec("openai/gsm8k", "main", _gsm8k),
    "math_train": HubSpec("EleutherAI/hendrycks_math", "algebra", _math),
    "mbpp_train": HubSpec("google-research-datasets/mbpp", "full", _mbpp),
    "triviaqa_train": HubSpec("mandarjoshi/trivia_qa", "rc.nocontext", _triviaqa),
}


def load_items(src: DataSource) -> tuple[list[StandardItem], dict[str, int]]:
    """The source's usable, uncontaminated items and how many rows were left out and why."""
    from beneficial_rl.evals.hub.loader import load_rows, read_local
    from beneficial_rl.training.tasks.contamination import eval_index

    spec = LOADERS[src.kind]
    if src.split != "train":
        raise BrlError(f"{src.kind} trains on the train split only (got split {src.split!r}); eval splits stay unseen")
    if src.path:  # an explicit local copy in the config wins over the environment
        from pathlib import Path

        rows = read_local(Path(src.path).expanduser())
    else:
        rows = load_rows(src.kind, spec.hub_id, src.subset or spec.config, split=src.split)
    index = eval_index()
    items, dropped = [], {"unusable": 0, "overlaps_eval": 0}
    for i, row in enumerate(rows):
        item = spec.convert(dict(row), src.task, i)
        if item is None:
            dropped["unusable"] += 1
        elif index.overlaps(item.messages[-1]["content"]):
            dropped["overlaps_eval"] += 1
        else:
            items.append(item)
    if not items:
        raise BrlError(f"{src.kind}: none of {len(rows)} rows is usable ({dropped})")
    if any(dropped.values()):
        log.info("%s: %d items, left out %s", src.kind, len(items), dropped)
    return items, dropped


@functools.lru_cache(maxsize=8)
def _cached(src_json: str) -> tuple[list[StandardItem], dict[str, int]]:
    return load_items(DataSource.model_validate_json(src_json))


def stream(src: DataSource, seed: str) -> Iterator[StandardItem]:
    """The rows in a seeded order, reshuffled on each pass."""
    items, _ = _cached(src.model_dump_json())
    rng = random.Random(seed)
    while True:
        order = list(range(len(items)))
        rng.shuffle(order)
        for i in order:
            yield items[i]

