"""What `brl evals list` shows: each eval's metadata and its item count (loaded, not guessed).

`offline_number` says how far the number an eval reports without a judge can be trusted:
"meaningful" (the offline scorer is the real scorer: choice letters, refusal decisions, sandboxed
code), "approximate" (a judge rubric falls back to machine checks that pass the degenerate-policy
audit but are coarser than a judge), "needs a judge" (no offline number: every sample is excluded
without a judge), or "needs data" (hub-only data not configured here; offline scoring named after
the colon).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.evals.registry import EvalInfo
from beneficial_rl.evals.suite import select

_WORDS = {"meaningful": "meaningful", "approximate": "approximate", "needs_judge": "needs a judge"}


class _CountOnly:
    """A context that lets a task be built to count its samples, never to score them."""

    name = "none"
    approximate = True

    async def grade(self, requests):  # pragma: no cover - never called while counting
        raise RuntimeError("inventory contexts do not grade")


def offline_number(info: EvalInfo) -> str:
    scoring = _WORDS[info.scoring_offline]
    return scoring if info.offline else f"needs data ({scoring} once loaded)"


def inventory(suite: str | None = None) -> list[dict[str, Any]]:
    from beneficial_rl.evals.context import EvalContext

    ctx = EvalContext(grader=_CountOnly(), refusal=None)
    rows = []
    for info in select(suite):
        items: int | None = None
        if info.offline:
            try:
                items = len(info.factory(ctx).dataset)
            except BrlError:
                items = None
        rows.append({
            "id": info.id, "role": info.role, "category": info.category, "items": items, "source": info.source,
            "scorer": info.scorer, "metric": info.metric, "offline_number": offline_number(info),
            "offline_scoring": info.scoring_offline, "chance": info.chance,
            "degenerate_wins": dict(info.degenerate_wins), "offline": info.offline, "quick": info.quick,
            "judge_scored": info.judge_scored, "domains": list(info.domains),
            "refusal_scored": info.refusal_scored,
            "needs": "network" if info.needs_network else info.needs_data,
        })
    return rows


def summary_line(rows: list[dict[str, Any]]) -> str:
    roles = Counter(r["role"] for r in rows)
    ood_meaningful_50 = sum(r["role"] == "ood" and r["offline_number"] == "meaningful" and (r["items"] or 0) >= 50
                            for r in rows)
    held = sum(r["items"] or 0 for r in rows if r["role"] == "held_out_trait")
    return (f"{len(rows)} evaluations ({', '.join(f'{n} {k}' for k, n in sorted(roles.items()))}); "
            f"{sum(r['offline'] for r in rows)} runnable offline; {ood_meaningful_50} ood evals with >= 50 items "
            f"meaningful offline; {held} held-out trait items")
