"""What `brl evals list` shows: each eval's metadata and its item count (loaded, not guessed)."""

from __future__ import annotations

from typing import Any

from beneficial_rl.errors import BrlError
from beneficial_rl.evals.registry import select


class _CountOnly:
    """A context that lets a task be built to count its samples, never to score them."""

    name = "none"
    approximate = True

    async def grade(self, requests):  # pragma: no cover - never called while counting
        raise RuntimeError("inventory contexts do not grade")


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
            "id": info.id, "category": info.category, "items": items, "source": info.source,
            "scorer": info.scorer, "metric": info.metric, "offline": info.offline, "quick": info.quick,
            "judge_scored": info.judge_scored, "domains": list(info.domains), "role": info.role,
            "refusal_scored": info.refusal_scored,
            "needs": "network" if info.needs_network else info.needs_data,
        })
    return rows
