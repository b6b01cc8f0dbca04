"""The refusal classifier's own labelled development and test sets (docs/refusal-labelling.md).

`data/refusal_components.yaml` holds hand-written requests, topic phrases, helpful answers,
templates of each kind of refusal, jailbreak framings and free-form items. `build()` assembles
them into labelled rows; `write()` stores them as `data/refusal_dev.jsonl` and
`data/refusal_test.jsonl`. Requests, templates and free-form items go to dev or test by a hash
of their id or text, fixed before any tuning, so a test row never reuses a request, a template or
a helpful answer that dev has: the test split measures transfer to unseen wording, not recall of
templates. Human-labelled refusal sets shipped inside packages are kept out of development
entirely; they remain free for independent checks.

Labels follow `grading/refusal.py`: a refusal declines the substance of the request, including
moralising instead of answering, deflecting to a professional or a hotline without engaging,
and a fluent answer to a different question. Declining one part and helping with the rest is not.

    python -m beneficial_rl.grading.refusal_set   # rebuilds both files
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
COMPONENTS = DATA / "refusal_components.yaml"
SPLITS = ("dev", "test")
TEST_SHARE = 0.3  # of free-form items; every third request (per kind) and every third template

# Categories and their labels (True = refusal).
CATEGORIES: dict[str, bool] = {
    "clear_refusal": True, "moralising": True, "deflection": True, "crisis": True, "task_swap": True,
    "jailbreak_refusal": True, "full_help": False, "apology_help": False, "partial": False,
    "jailbreak_compliance": False,
}


def _h(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def split_of(key: str) -> str:
    return "test" if _h(key) % 1000 < TEST_SHARE * 1000 else "dev"


def request_splits(requests: list[dict[str, Any]]) -> dict[str, str]:
    """Stratified by kind: within each kind, requests ordered by hash, every third goes to test."""
    out = {}
    for kind in sorted({r["kind"] for r in requests}):
        ranked = sorted((r["id"] for r in requests if r["kind"] == kind), key=_h)
        out.update({rid: "test" if i % 3 == 2 else "dev" for i, rid in enumerate(ranked)})
    return out


def _template_split(i: int) -> str:
    return "test" if i % 3 == 2 else "dev"


def _pick(items: list[str], key: str, n: int = 1) -> list[str]:
    """n distinct items chosen by a hash of key (deterministic, spread over the pool)."""
    if not items:
        return []
    start = _h(key) % len(items)
    return [items[(start + k) % len(items)] for k in range(min(n, len(items)))]


def _fill(template: str, req: dict[str, Any], **extra: str) -> str:
    topic = req["topic"]
    pro = req.get("pro") or "a qualified professional"
    out = (template.replace("{Topic}", topic[:1].upper() + topic[1:]).replace("{topic}", topic)
           .replace("{Pro}", pro[:1].upper() + pro[1:]).replace("{pro}", pro))
    for k, v in extra.items():
        out = out.replace("{" + k + "}", v)
    return out


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower())}


def _rows_for(req: dict[str, Any], split: str, pool: dict[str, list[str]], others: list[dict[str, Any]],
              jailbreaks: list[str], jb_refusals: list[str]) -> Iterator[dict[str, Any]]:
    rid, kind, ask, help_ = req["id"], req["kind"], req["request"], req.get("help")

    def row(category: str, response: str, request: str = ask, tag: str = "") -> dict[str, Any]:
        return {"id": f"{rid}.{category}{tag}", "split": split, "request": request, "response": response,
                "refusal": CATEGORIES[category], "category": category, "source": "assembled"}

    for t in _pick(pool["clear_refusal"], rid):
        yield row("clear_refusal", _fill(t, req))
    n_moral = {"harmful": 2, "sensitive": 1, "crisis": 0}.get(kind, _h(rid) % 2)
    for i, t in enumerate(_pick(pool["moralising"], rid + "m", n_moral)):
        yield row("moralising", _fill(t, req), tag=str(i))
    if req.get("pro"):
        for t in _pick(pool["deflection"], rid + "d"):
            yield row("deflection", _fill(t, req))
    if kind == "crisis":
        for i, t in enumerate(_pick(pool["crisis"], rid + "c", 2)):
            yield row("crisis", _fill(t, req), tag=str(i))
    # a fluent answer to another request: the one sharing the fewest words with this one
    other = min((o for o in others if o["id"] != rid and o.get("help")),
                key=lambda o: (len(_words(ask) & _words(o["help"])), _h(rid + o["id"])), default=None)
    if other is not None:
        yield row("task_swap", other["help"])
    if help_:
        yield row("full_help", help_)
        if req.get("warn") and _h(rid) % 2:
            yield row("apology_help", f"{help_} {req['warn']}")
        elif _h(rid + "w") % 2:
            yield row("apology_help", help_ + _pick(pool["warning_suffix"], rid)[0])
        else:
            yield row("apology_help", _pick(pool["apology_prefix"], rid)[0] + help_)
        if kind != "harmful":
            t = _pick(pool["partial"], rid + "p")[0]
            lead = req.get("part")
            text = f"{lead}, but {help_[:1].lower()}{help_[1:]}" if lead else _fill(t, req, help=help_)
            yield row("partial", text)
    if kind == "harmful":
        frame = _pick(jailbreaks, rid + "j")[0]
        yield row("jailbreak_refusal", _fill(_pick(jb_refusals, rid + "jr")[0], req),
                  request=frame.replace("{request}", ask))
    elif help_ and _h(rid + "jc") % 2:
        frame = _pick(jailbreaks, rid + "jc")[0]
        yield row("jailbreak_compliance", help_, request=frame.replace("{request}", ask))


@cache
def components() -> dict[str, Any]:
    return yaml.safe_load(COMPONENTS.read_text())


def build() -> list[dict[str, Any]]:
    """Every labelled row, dev and test, in a stable order."""
    c = components()
    templates = {**c["templates"], "partial": c["partial"]}
    rows: list[dict[str, Any]] = []
    req_split = request_splits(c["requests"])
    for split in SPLITS:
        pool = {k: [t for i, t in enumerate(v) if _template_split(i) == split] for k, v in templates.items()}
        jailbreaks = [t for i, t in enumerate(c["jailbreaks"]) if _template_split(i) == split]
        jb_refusals = [t for i, t in enumerate(c["jailbreak_refusals"]) if _template_split(i) == split]
        reqs = [r for r in c["requests"] if req_split[r["id"]] == split]
        for req in reqs:
            rows.extend(_rows_for(req, split, pool, reqs, jailbreaks, jb_refusals))
        for request, response, label, category in c["freeform"]:
            key = request + "\n" + response
            if split_of(key) != split:
                continue
            if CATEGORIES[category] is not label:
                raise ValueError(f"free-form item labelled {label} but category {category} means {CATEGORIES[category]}")
            rows.append({"id": f"free.{_h(key):08x}", "split": split, "request": request, "response": response,
                         "refusal": label, "category": category, "source": "hand_written"})
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate row ids")
    return rows


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write() -> dict[str, int]:
    rows = build()
    counts = {}
    for split in SPLITS:
        mine = [r for r in rows if r["split"] == split]
        _atomic_write(DATA / f"refusal_{split}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in mine))
        counts[split] = len(mine)
    return counts


def load(split: str) -> list[dict[str, Any]]:
    """The stored rows of one split ("dev" or "test")."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    path = DATA / f"refusal_{split}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


if __name__ == "__main__":
    print(write())
