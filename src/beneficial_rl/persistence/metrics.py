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
