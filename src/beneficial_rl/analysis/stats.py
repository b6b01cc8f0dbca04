"""Honest arm-vs-arm statistics over the same items.

Every comparison is paired: an eval's items are matched by id across the two arms and only items
scored in both count (grading failures are excluded, never imputed). The difference is
`treatment - baseline`, in score units (multiply by 100 for "points").

- CI: percentile bootstrap over items (resampling pairs), 95% by default.
- p-value: paired sign-flip randomization test of mean difference = 0 (exact when n <= 16).
  Under H0 the two arms are exchangeable within a pair, so flipping each pair's sign is the
  right null and needs no normality assumption (binary refusal-style scores are common here).
- Multiplicity: Benjamini-Hochberg FDR across evaluations (scipy's false_discovery_control).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

Rows = Sequence[Mapping]  # per-sample rows: {"id", "score", "refusal", ...}


@dataclass
class Paired:
    eval: str
    n: int
    baseline_mean: float | None
    treatment_mean: float | None
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    q_value: float | None = None  # BH-adjusted
    significant: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def pair_scores(baseline: Rows, treatment: Rows, skip_refusals: bool = False) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Scores of items present and scored in both arms, in a stable id order."""
    b, t, ids, _ = paired(baseline, treatment, skip_refusals)
    return b, t, ids


def paired(baseline: Rows, treatment: Rows, skip_refusals: bool = False
           ) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """`pair_scores` plus each pair's weight: the units an item stands for (IFEval: its
    instructions, so means pool instructions, not prompts); 1 when rows carry none."""
    b = {r["id"]: r for r in baseline if r.get("score") is not None}
    t = {r["id"]: r for r in treatment if r.get("score") is not None}
    ids = sorted(set(b) & set(t))
    if skip_refusals:
        ids = [i for i in ids if not b[i].get("refusal") and not t[i].get("refusal")]
    w = np.array([float(b[i].get("weight", t[i].get("weight", 1.0))) for i in ids], dtype=float)
    return (np.array([b[i]["score"] for i in ids], dtype=float),
            np.array([t[i]["score"] for i in ids], dtype=float), ids, w)


def bootstrap_ci(diffs: np.ndarray, confidence: float = 0.95, n_boot: int = 10_000,
                 seed: int = 0, weights: np.ndarray | None = None) -> tuple[float, float]:
    """Percentile bootstrap CI of the (weighted) mean of paired differences, resampling pairs."""
    if len(diffs) == 0:
        return (float("nan"), float("nan"))
    w = np.ones_like(diffs) if weights is None else weights
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diffs), size=(n_boot, len(diffs)))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (diffs[idx] * w[idx]).sum(axis=1) / w[idx].sum(axis=1)
    means = means[np.isfinite(means)]
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def sign_flip_p(diffs: np.ndarray, n_perm: int = 20_000, seed: int = 0, weights: np.ndarray | None = None) -> float:
    """Two-sided p-value for the (weighted) mean of diffs == 0 under random sign flips of each pair."""
    n = len(diffs)
    if n == 0:
        return float("nan")
    w = np.ones_like(diffs) if weights is None else weights
    wd = w * diffs
    observed = abs(wd.sum())
    if not np.any(wd):
        return 1.0
    if n <= 16:
        signs = np.array(list(itertools.product([1.0, -1.0], repeat=n)))
    else:
        rng = np.random.default_rng(seed)
        signs = rng.choice([1.0, -1.0], size=(n_perm, n))
    null = np.abs((signs * wd).sum(axis=1))
    # count the observed labelling itself so p is never 0 (Phipson & Smyth)
    exceed = np.sum(null >= observed - 1e-12 * max(1.0, observed))
    return float(exceed / len(null)) if n <= 16 else float((exceed + 1) / (len(null) + 1))


def compare(name: str, baseline: Rows, treatment: Rows, skip_refusals: bool = False,
            confidence: float = 0.95, seed: int = 0) -> Paired:
    b, t, _, w = paired(baseline, treatment, skip_refusals)
    if len(b) == 0 or w.sum() == 0:
        return Paired(name, 0, None, None, None, None, None, None)
    d = t - b
    weights = None if np.all(w == 1.0) else w
    lo, hi = bootstrap_ci(d, confidence, seed=seed, weights=weights)
    mean = lambda x: float((x * w).sum() / w.sum())  # noqa: E731
    return Paired(name, len(d), mean(b), mean(t), mean(d), lo, hi, sign_flip_p(d, seed=seed, weights=weights))


def benjamini_hochberg(results: list[Paired], alpha: float = 0.05) -> list[Paired]:
    """Fill q-values and significance across evaluations (those with a p-value)."""
    from scipy.stats import false_discovery_control

    tested = [r for r in results if r.p_value is not None and not np.isnan(r.p_value)]
    if tested:
        q = false_discovery_control([r.p_value for r in tested], method="bh")
        for r, qi in zip(tested, q, strict=True):
            r.q_value = float(qi)
            r.significant = bool(qi <= alpha)
    return results


FAMILY_LABELS = {"ood": "out-of-distribution", "held_out_trait": "held-out trait", "capability": "capability",
                 "diagnostic": "diagnostic", "refusal_controlled": "applicable"}


@dataclass
class Headline:
    """The paper's sentence for one family of evals (never a mix of families)."""

    family: str
    evaluations: int
    improved: int
    significant_improved: int
    significant_worse: int
    mean_points: float | None
    eval_ids: list[str]

    def sentence(self) -> str:
        pts = "n/a" if self.mean_points is None else f"{self.mean_points:+.1f}"
        label = FAMILY_LABELS.get(self.family, self.family)
        return (f"improved on {self.improved} of {self.evaluations} {label} evaluations, "
                f"{self.significant_improved} significant after FDR, {self.significant_worse} significantly worse, "
                f"mean {pts} points")

    def to_dict(self) -> dict:
        return asdict(self) | {"sentence": self.sentence()}


def headline(results: list[Paired], family: str = "ood") -> Headline:
    """X of Y improved, Z significant after FDR, W significantly worse, mean +N points, over the
    evals in `results` (one family, FDR-corrected together) that have a paired difference."""
    have = [r for r in results if r.delta is not None]
    return Headline(
        family=family,
        evaluations=len(have),
        improved=sum(r.delta > 0 for r in have),
        significant_improved=sum(r.significant and r.delta > 0 for r in have),
        significant_worse=sum(r.significant and r.delta < 0 for r in have),
        mean_points=100 * float(np.mean([r.delta for r in have])) if have else None,
        eval_ids=[r.eval for r in have],
    )


def compare_arms(baseline: Mapping[str, Rows], treatment: Mapping[str, Rows], skip_refusals: bool = False,
                 alpha: float = 0.05, seed: int = 0) -> list[Paired]:
    """Every eval both arms ran, paired and FDR-corrected together."""
    names = sorted(set(baseline) & set(treatment))
    return benjamini_hochberg([compare(n, baseline[n], treatment[n], skip_refusals, seed=seed) for n in names], alpha)


def refusal_rate(rows: Rows) -> float | None:
    return float(np.mean([bool(r.get("refusal")) for r in rows])) if rows else None


def transfer_table(results: list[Paired], eval_domains: Mapping[str, Sequence[str]],
                   trained_domains: set[str] | None, excluded_domains: set[str] | None = None) -> dict:
    """For a domain-restricted arm: gains on evals in domains it trained on, in domains it never
    saw, and on evals with no domain, each summarised apart (the paper's transfer result is the
    middle group: e.g. health gains from an arm that never saw health).

    An include-arm (`trained_domains`) trained on exactly those domains; an exclude-arm trained on
    every domain but `excluded_domains`. An eval with several domains counts as excluded when any of
    them is excluded (include-arms: as trained when any is trained). q-values come from the family
    `results` was corrected in.
    """
    def group(domains: Sequence[str]) -> str:
        if not domains:
            return "no_domain"
        if trained_domains is not None:
            return "trained_domains" if set(domains) & trained_domains else "excluded_domains"
        return "excluded_domains" if set(domains) & (excluded_domains or set()) else "trained_domains"

    groups: dict[str, list[Paired]] = {"trained_domains": [], "excluded_domains": [], "no_domain": []}
    for r in results:
        if r.delta is not None:
            groups[group(eval_domains.get(r.eval, ()))].append(r)
    return {k: headline(v, family="ood").to_dict() for k, v in groups.items()}
