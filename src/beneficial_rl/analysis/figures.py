"""Figures for the report, as PNG bytes (matplotlib's Agg backend, no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

GREEN, RED, GREY = "#1b7f3b", "#b42318", "#8a8f98"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def forest_plot(results: Sequence[Mapping], title: str) -> bytes:
    """Per-eval paired deltas (points) with 95% CIs, sorted, coloured by FDR significance."""
    rows = sorted((r for r in results if r.get("delta") is not None), key=lambda r: r["delta"])
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * max(len(rows), 4) + 1.2))
    for i, r in enumerate(rows):
        colour = (GREEN if r["delta"] > 0 else RED) if r.get("significant") else GREY
        lo, hi = 100 * r["ci_low"], 100 * r["ci_high"]
        ax.plot([lo, hi], [i, i], color=colour, lw=1.6)
        ax.plot(100 * r["delta"], i, "o", color=colour, ms=5)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(rows)), [r["eval"] for r in rows], fontsize=8)
    ax.set_xlabel("difference, points (treatment - baseline), 95% bootstrap CI")
    ax.set_title(title + "\n(green/red: significant after Benjamini-Hochberg FDR; grey: not)", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def category_bars(by_category: Mapping[str, Mapping], title: str) -> bytes:
    cats = sorted(by_category)
    vals = [100 * (by_category[c]["mean_delta"] or 0) for c in cats]
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * max(len(cats), 3) + 1))
    ax.barh(cats, vals, color=[GREEN if v > 0 else RED for v in vals])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("mean difference per category, points")
    ax.set_title(title, fontsize=10)
    return _png(fig)


def grouped_bars(values: Mapping[str, Mapping[str, float | None]], ylabel: str, title: str) -> bytes:
    """values[group][series] -> bar height; e.g. held-out traits per arm, retention per persona."""
    groups = list(values)
    series = sorted({s for g in values.values() for s in g})
    width = 0.8 / max(len(series), 1)
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(groups) + 2), 3.6))
    for k, s in enumerate(series):
        xs = [i + k * width for i in range(len(groups))]
        ys = [values[g].get(s) or 0 for g in groups]
        ax.bar(xs, ys, width=width, label=s)
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(groups))], groups, rotation=30, ha="right",
                  fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return _png(fig)


def line_curves(curves: Mapping[str, Sequence[tuple[float, float]]], xlabel: str, ylabel: str, title: str) -> bytes:
    """curves[label] -> [(x, y)]; reward curves per arm/source, dose-response per arm."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for label, pts in sorted(curves.items()):
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.plot(xs, ys, marker="o" if len(xs) < 12 else None, ms=3, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)
