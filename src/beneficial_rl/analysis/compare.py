"""One arm against another, family by family: the numbers the report's sentences are made of.

Evals are split by the role they declare (evals/registry.py) before any statistic is taken, so
every family has its own paired tests, its own Benjamini-Hochberg correction and its own sentence:

- `ood`: the headline ("improved on X of Y out-of-distribution evaluations ...");
- `held_out_trait`: trained traits on held-out scenarios, per trait and pooled (the paper's
  0.41 -> 0.61), reported apart because the traits themselves were trained on;
- `capability`: a non-regression table;
- `diagnostic`: shown, never counted.

The refusal-controlled analysis uses only the `ood` evals whose score is not the refusal decision
itself (after dropping refusals such an eval would tie on every item). An eval that has results in
one arm only is listed in `missing`, never silently dropped from Y.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from beneficial_rl.analysis.stats import Paired, benjamini_hochberg, compare, headline, transfer_table

Rows = Sequence[Mapping]
ROLES = ("ood", "held_out_trait", "capability", "diagnostic")


def _family(names: Sequence[str], base: Mapping[str, Rows], treat: Mapping[str, Rows], alpha: float, seed: int,
            skip_refusals: bool = False) -> list[Paired]:
    return benjamini_hochberg([compare(n, base[n], treat[n], skip_refusals, seed=seed) for n in sorted(names)],
                              alpha)


def _pooled(rows: Mapping[str, Rows], names: Sequence[str]) -> list[dict]:
    """Every named eval's rows as one item set keyed `<eval>/<id>`, so arms pair up item by item."""
    return [{**r, "id": f"{e}/{r['id']}"} for e in names for r in rows[e]]


def _table(results: list[Paired], meta: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    return [r.to_dict() | {"category": meta.get(r.eval, {}).get("category", ""),
                           "approximate": bool(meta.get(r.eval, {}).get("approximate", False))} for r in results]


def compare_pair(base: Mapping[str, Rows], treat: Mapping[str, Rows], meta: Mapping[str, Mapping[str, Any]], *,
                 alpha: float = 0.05, seed: int = 0, trained_domains: set[str] | None = None,
                 excluded_domains: set[str] | None = None, restricted: bool = False) -> dict[str, Any]:
    """Everything the report says about `treat` vs `base`.

    `base` and `treat` map eval id -> per-sample rows (only evals that finished); `meta` maps eval
    id -> {role, refusal_scored, domains, category, approximate}. `restricted` marks a
    domain-restricted arm, for which the transfer table is built from the domain sets.
    """
    both = sorted(set(base) & set(treat))
    by_role = {role: [e for e in both if meta.get(e, {}).get("role", "ood") == role] for role in ROLES}
    fam = {role: _family(names, base, treat, alpha, seed) for role, names in by_role.items()}
    ood = headline(fam["ood"], "ood")

    held = by_role["held_out_trait"]
    aggregate = compare("held_out_traits (pooled)", _pooled(base, held), _pooled(treat, held), seed=seed) if held \
        else None

    applicable = [e for e in by_role["ood"] if not meta.get(e, {}).get("refusal_scored", False)]
    controlled = _family(applicable, base, treat, alpha, seed, skip_refusals=True)
    rc = headline(controlled, "refusal_controlled")

    out: dict[str, Any] = {
        "headline": ood.to_dict(),
        "sentence": ood.sentence(),
        "results": _table(fam["ood"], meta),
        "held_out_traits": {"results": _table(fam["held_out_trait"], meta),
                            "aggregate": aggregate.to_dict() if aggregate else None,
                            "headline": headline(fam["held_out_trait"], "held_out_trait").to_dict()},
        "capability": {"results": _table(fam["capability"], meta),
                       "headline": headline(fam["capability"], "capability").to_dict()},
        "diagnostic": {"results": _table(fam["diagnostic"], meta)},
        "refusal_controlled": {
            "applicable": applicable,
            "not_applicable": [e for e in by_role["ood"] if e not in applicable],
            "results": _table(controlled, meta),
            "headline": rc.to_dict(),
            "sentence": (f"on paired non-refusals, {rc.improved} of {rc.evaluations} applicable evals improved, "
                         f"{rc.significant_improved} significant after FDR, {rc.significant_worse} significantly "
                         f"worse, mean {'n/a' if rc.mean_points is None else f'{rc.mean_points:+.1f}'} points"),
        },
        "missing": [{"eval": e, "missing_in": "baseline" if e in treat else "treatment"}
                    for e in sorted(set(base) ^ set(treat))],
    }
    if restricted:
        domains = {e: tuple(meta.get(e, {}).get("domains", ())) for e in by_role["ood"]}
        out["transfer"] = transfer_table(fam["ood"], domains, trained_domains, excluded_domains)
    return out
