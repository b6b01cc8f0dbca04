"""Persistence metrics with bootstrap CIs over items (paired by sample id).

- retention = mean(attacked) / mean(clean) for one arm: the paper's "keeps 36% vs 74%".
- helpful-steering difference = (helpful - clean) shift of the treatment arm minus that of the
  baseline arm: near zero means both stay equally steerable toward help (selective persistence).
- dose degradation = clean mean minus mean at each fine-tuning dose, per arm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

Rows = Sequence[Mapping]


def _aligned(*arms: Rows) -> np.ndarray:
    """Scores of items scored in every row set, as an (n_items, n_sets) array."""
    maps = [{r["id"]: r["score"] for r in rows if r.get("score") is not None} for rows in arms]
    ids = sorted(set.intersection(*(set(m) for m in maps))) if maps else []
    return np.array([[m[i] for m in maps] for i in ids], dtype=float).reshape(len(ids), len(maps))


def _boot(values: np.ndarray, stat, n_boot: int = 5000, seed: int = 0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    stats = np.array([stat(values[i]) for i in idx])
    stats = stats[np.isfinite(stats)]
    if not len(stats):
        return float("nan"), float("nan")
    return float(np.quantile(stats, 0.025)), float(np.quantile(stats, 0.975))


def retention(clean: Rows, attacked: Rows, seed: int = 0) -> dict:
    x = _aligned(clean, attacked)
    if not len(x):
        return {"n": 0, "clean": None, "attacked": None, "retention": None, "ci_low": None, "ci_high": None}

    def ratio(v: np.ndarray) -> float:
        c = v[:, 0].mean()
        return float(v[:, 1].mean() / c) if c > 0 else float("nan")

    lo, hi = _boot(x, ratio, seed=seed)
    r = ratio(x)
    return {"n": len(x), "clean": float(x[:, 0].mean()), "attacked": float(x[:, 1].mean()),
            "retention": None if np.isnan(r) else r, "ci_low": lo, "ci_high": hi}


def steering_difference(treat_clean: Rows, treat_helpful: Rows, base_clean: Rows, base_helpful: Rows,
                        seed: int = 0) -> dict:
    x = _aligned(treat_clean, treat_helpful, base_clean, base_helpful)
    if not len(x):
        return {"n": 0, "delta": None, "ci_low": None, "ci_high": None}

    def diff(v: np.ndarray) -> float:
        return float((v[:, 1] - v[:, 0]).mean() - (v[:, 3] - v[:, 2]).mean())

    lo, hi = _boot(x, diff, seed=seed)
    return {"n": len(x), "delta": diff(x), "ci_low": lo, "ci_high": hi,
            "treatment_shift": float((x[:, 1] - x[:, 0]).mean()), "baseline_shift": float((x[:, 3] - x[:, 2]).mean())}


def degradation(clean: Rows, dosed: Rows, seed: int = 0) -> dict:
    """Mean score lost at one dose (clean - dosed), with a paired bootstrap CI."""
    x = _aligned(clean, dosed)
    if not len(x):
        return {"n": 0, "mean": None, "loss": None, "ci_low": None, "ci_high": None}
    d = x[:, 0] - x[:, 1]
    lo, hi = _boot(d, lambda v: float(v.mean()), seed=seed)
    return {"n": len(x), "mean": float(x[:, 1].mean()), "loss": float(d.mean()), "ci_low": lo, "ci_high": hi}


def _common(per_arm: Mapping[str, Sequence[Rows]]) -> tuple[list[str], np.ndarray]:
    """Items scored in every row set of every arm: (arm order, array [items, arms, sets])."""
    arms = list(per_arm)
    maps = {a: [{r["id"]: r["score"] for r in rows if r.get("score") is not None} for rows in sets]
            for a, sets in per_arm.items()}
    ids = sorted(set.intersection(*(set(m) for a in arms for m in maps[a]))) if arms else []
    x = np.array([[[m[i] for m in maps[a]] for a in arms] for i in ids], dtype=float)
    return arms, x.reshape(len(ids), len(arms), max((len(s) for s in per_arm.values()), default=0))


def retention_across_arms(per_arm: Mapping[str, tuple[Rows, Rows]], baseline: str, seed: int = 0) -> dict:
    """Retention (attacked / clean) of every arm on the SAME items, and each arm's difference from
    the baseline's with a paired bootstrap CI (items resampled jointly across arms): the paper's
    claim is that difference (74% vs 36%), not two ratios measured on different item sets."""
    arms, x = _common(per_arm)
    if not len(x) or baseline not in arms:
        return {"n": len(x), "arms": {}, "differences": {}}
    b = arms.index(baseline)

    def ratios(v: np.ndarray) -> np.ndarray:
        clean = v[:, :, 0].mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(clean > 0, v[:, :, 1].mean(axis=0) / clean, np.nan)

    point = ratios(x)
    rng = np.random.default_rng(seed)
    boots = np.array([ratios(x[rng.integers(0, len(x), len(x))]) for _ in range(5000)])
    out: dict = {"n": len(x), "arms": {}, "differences": {}}
    for k, a in enumerate(arms):
        lo, hi = _finite_ci(boots[:, k])
        out["arms"][a] = {"retention": _num(point[k]), "clean": float(x[:, k, 0].mean()),
                          "attacked": float(x[:, k, 1].mean()), "ci_low": lo, "ci_high": hi}
        if a != baseline:
            lo, hi = _finite_ci(boots[:, k] - boots[:, b])
            out["differences"][a] = {"baseline": baseline, "delta": _num(point[k] - point[b]), "ci_low": lo,
                                     "ci_high": hi}
    return out


def dose_across_arms(per_arm: Mapping[str, Mapping[int, Rows]], baseline: str, seed: int = 0) -> dict:
    """Per dose: every arm's loss against its own dose 0 on the SAME items (with a CI), and each
    arm's loss minus the baseline's with a paired bootstrap CI."""
    doses = sorted(set.intersection(*(set(d) for d in per_arm.values()))) if per_arm else []
    out: dict = {"doses": doses, "arms": {a: [] for a in per_arm}, "differences": {}}
    if 0 not in doses or baseline not in per_arm:
        return out
    rng = np.random.default_rng(seed)
    for d in doses:
        arms, x = _common({a: (per_arm[a][0], per_arm[a][d]) for a in per_arm})
        if not len(x):
            continue
        loss = x[:, :, 0] - x[:, :, 1]  # [items, arms]
        idx = rng.integers(0, len(x), size=(5000, len(x)))
        boots = loss[idx].mean(axis=1)  # [boot, arms]
        b = arms.index(baseline)
        for k, a in enumerate(arms):
            lo, hi = _finite_ci(boots[:, k])
            out["arms"][a].append({"dose": d, "n": len(x), "mean": float(x[:, k, 1].mean()),
                                   "loss": float(loss[:, k].mean()), "ci_low": lo, "ci_high": hi})
            if a != baseline:
                lo, hi = _finite_ci(boots[:, k] - boots[:, b])
                out["differences"].setdefault(a, []).append(
                    {"dose": d, "baseline": baseline, "delta_loss": float(loss[:, k].mean() - loss[:, b].mean()),
                     "ci_low": lo, "ci_high": hi})
    return out


def _finite_ci(values: np.ndarray) -> tuple[float | None, float | None]:
    v = values[np.isfinite(values)]
    return (float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975))) if len(v) else (None, None)


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)
