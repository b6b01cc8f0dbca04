"""Render a run's results as one self-contained HTML file, Markdown, results.json and PNGs.

The report states its own caveats: which grader produced each number (read from every eval's
record, never from the config), sample sizes and exclusions, evals that failed or ran in one arm
only, skipped evals and why, and any arm pair that is not compute-matched. It never prints a number
that is not in `results`. Both formats come from one view (`view()`) and two jinja2 templates;
model text is escaped in both, so a transcript line starting with `|`, `#` or `<` stays literal.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from beneficial_rl.analysis import figures
from beneficial_rl.utils.io import atomic_write_bytes, atomic_write_json, atomic_write_text


def _fmt(x: Any, pct: bool = False, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        v = 100 * x if pct else x
        return f"{v:+.1f}" if signed else (f"{v:.1f}" if pct else f"{v:.3f}")
    return str(x)


def _ci(lo: float | None, hi: float | None, pct: bool = True) -> str:
    if lo is None or hi is None:
        return "n/a"
    return f"[{100 * lo:+.1f}, {100 * hi:+.1f}]" if pct else f"[{lo:.3f}, {hi:.3f}]"


def build_figures(results: Mapping) -> dict[str, bytes]:
    figs: dict[str, bytes] = {}
    for key, comp in results.get("comparisons", {}).items():
        if comp.get("results"):
            figs[f"forest_{key}.png"] = figures.forest_plot(comp["results"], comp["title"] + " (out-of-distribution)")
        if comp.get("by_category"):
            figs[f"categories_{key}.png"] = figures.category_bars(comp["by_category"], comp["title"])
    held = results.get("held_out", {})
    if held:
        traits = sorted({t for arm in held.values() for t in arm})
        figs["held_out_traits.png"] = figures.grouped_bars(
            {t: {arm: held[arm].get(t) for arm in held} for t in traits}, "mean rubric score",
            "Held-out trait scores per arm")
    curves = {}
    for arm, info in results.get("arms", {}).items():
        for source, pts in (info.get("reward_curves") or {}).items():
            curves[f"{arm} / {source}"] = pts
    if curves:
        figs["reward_curves.png"] = figures.line_curves(curves, "step", "mean reward", "Training reward per arm and source")
    pers = results.get("persistence", {})
    if pers.get("retention"):
        figs["persona_retention.png"] = figures.grouped_bars(
            {p: {arm: v.get("retention") for arm, v in per_arm.items()} for p, per_arm in pers["retention"].items()},
            "attacked / clean score", "Persona prompts: retention of clean score")
    if pers.get("dose_response"):
        dr = {arm: [(d["dose"], d["mean"]) for d in pts] for arm, pts in pers["dose_response"].items()}
        figs["finetune_dose_response.png"] = figures.line_curves(
            dr, "harmful fine-tuning steps", "mean score (health + out-of-domain evals)", "Harmful fine-tuning")
    return figs


def _paired_rows(results: list[Mapping], evals: Mapping[str, Mapping]) -> list[list[Any]]:
    rows = []
    for r in sorted(results, key=lambda r: -(r["delta"] if r["delta"] is not None else -1e9)):
        star = " *" if r.get("significant") else ""
        approx = " (approximate grader)" if evals.get(r["eval"], {}).get("approximate") or r.get("approximate") else ""
        rows.append([r["eval"] + approx, r.get("category", ""), r["n"], _fmt(r["baseline_mean"]),
                     _fmt(r["treatment_mean"]), _fmt(r["delta"], pct=True, signed=True) + star,
                     _ci(r["ci_low"], r["ci_high"]), _fmt(r["q_value"])])
    return rows


PAIRED_HEADERS = ["eval", "category", "n (paired)", "baseline", "treatment", "delta (pts)", "95% CI", "q (BH)"]


def _comparison(comp: Mapping, evals: Mapping[str, Mapping]) -> dict[str, Any]:
    h = comp["headline"]
    paras = [{"text": f"{comp['treatment']} vs {comp['baseline']}: {comp['sentence']}.", "strong": True},
             {"text": f"Counted (out-of-distribution family, {h['evaluations']} evals, one FDR correction): "
                      + (", ".join(h["eval_ids"]) or "none")}]
    if not comp.get("compute_matched", True):
        paras.append({"text": f"Not compute-matched: {comp.get('compute_note')}", "warn": True})
    rc = comp.get("refusal_controlled")
    if rc:
        paras.append({"text": f"Refusal-controlled: {rc['sentence']}. Applicable: {', '.join(rc['applicable']) or 'none'}; "
                              f"not applicable (the score is the refusal decision): "
                              f"{', '.join(rc['not_applicable']) or 'none'}."})
    for m in comp.get("missing", []):
        paras.append({"text": f"Missing from the comparison: {m['eval']} has no results in {m.get('arm', m.get('missing_in'))}"
                              f" ({m.get('reason', 'not run')}).", "warn": True})
    tables = [{"caption": "Out-of-distribution evaluations (* significant after FDR within this family)",
               "headers": PAIRED_HEADERS, "rows": _paired_rows(comp["results"], evals)}]
    if comp.get("transfer"):
        tables.append({"caption": "Transfer (domain-restricted arm; out-of-distribution evals by domain group)",
                       "headers": ["group", "evals", "improved", "significant better", "significant worse",
                                   "mean (pts)", "eval ids"],
                       "rows": [[k, v["evaluations"], v["improved"], v["significant_improved"], v["significant_worse"],
                                 _fmt(v["mean_points"], signed=True) if v["mean_points"] is not None else "n/a",
                                 ", ".join(v["eval_ids"])] for k, v in comp["transfer"].items()]})
    held = comp.get("held_out_traits") or {}
    if held.get("results"):
        rows = _paired_rows(held["results"], evals)
        agg = held.get("aggregate")
        if agg:
            rows.append(["all held-out traits (pooled items)", "", agg["n"], _fmt(agg["baseline_mean"]),
                         _fmt(agg["treatment_mean"]), _fmt(agg["delta"], pct=True, signed=True),
                         _ci(agg["ci_low"], agg["ci_high"]), "n/a"])
        tables.append({"caption": "Held-out traits (trained traits, held-out scenarios; reported apart, own FDR)",
                       "headers": PAIRED_HEADERS, "rows": rows})
    cap = comp.get("capability") or {}
    if cap.get("results"):
        tables.append({"caption": f"Capabilities (non-regression; own FDR): {cap['headline']['sentence']}",
                       "headers": PAIRED_HEADERS, "rows": _paired_rows(cap["results"], evals)})
    diag = comp.get("diagnostic") or {}
    if diag.get("results"):
        tables.append({"caption": "Diagnostics (reported, never counted)", "headers": PAIRED_HEADERS,
                       "rows": _paired_rows(diag["results"], evals)})
    return {"title": comp["title"], "paragraphs": paras, "tables": tables}


def _provenance(results: Mapping, out: Path) -> dict[str, Any] | None:
    evals = results.get("evals", {})
    if not evals:
        return None
    rows = []
    for e, info in evals.items():
        for arm, rec in info.get("per_arm", {}).items():
            reasons = ", ".join(f"{k}: {v}" for k, v in (rec.get("excluded_reasons") or {}).items())
            grader = (rec.get("grader") or {}).get("name", "")
            log = rec.get("inspect_log")
            link: Any = {"text": "log", "href": os.path.relpath(log, out)} if log else ""
            rows.append([e, info.get("role", ""), arm, rec.get("status", ""), _fmt(rec.get("n_scored")),
                         f"{_fmt(rec.get('n_excluded'))}" + (f" ({reasons})" if reasons else ""),
                         _fmt(rec.get("n_errors")), grader + (" (approximate)" if rec.get("approximate") else ""),
                         link])
    return {"title": "Every eval, every arm: what was scored, excluded, errored, and by what",
            "paragraphs": [{"text": "Failed evals are not saved as finished; rerun `brl run` to retry them."}],
            "tables": [{"caption": "", "headers": ["eval", "role", "arm", "status", "scored", "excluded (why)",
                                                   "errors", "graded by", "Inspect log"], "rows": rows}]}


def _compute(results: Mapping) -> dict[str, Any] | None:
    if not results.get("ledgers"):
        return None
    table = {"caption": "", "headers": ["arm", "steps", "completions", "generated tokens", "trained tokens",
                                        "policy FLOPs", "judge calls", "wall s"],
             "rows": [[arm, lg.get("steps"), lg.get("completions"), lg.get("generated_tokens"), lg.get("trained_tokens"),
                       f"{lg.get('policy_flops', 0):.3g}", lg.get("judge_calls"), _fmt(lg.get("wall_seconds"))]
                      for arm, lg in results["ledgers"].items()]}
    tables = [table]
    signal = [[arm, ", ".join(f"{src} {100 * v:.0f}%" for src, v in lg["dead_group_frac_by_source"].items() if v is not None)
               or "n/a", lg.get("dead_groups_mode") or "keep", lg.get("dropped_completions"),
               _fmt(lg.get("trait_epochs_per_scenario"))]
              for arm, lg in results["ledgers"].items() if lg.get("dead_group_frac_by_source") is not None]
    if signal:
        tables.append({"caption": "Training signal: share of dead groups (all rewards equal, no GRPO gradient) per "
                                  "source; completions masked out of the loss (dead_groups=drop, still counted as "
                                  "compute); epochs per trait scenario",
                       "headers": ["arm", "dead groups by source", "dead groups", "dropped completions",
                                   "trait epochs / scenario"], "rows": signal})
    for m in results.get("compute_match", []):
        by = m.get("rel_diff_by_metric", {})
        judge = m.get("judge", {})
        tables.append({
            "caption": f"{m['pair']}: {'matched' if m['matched'] else 'NOT matched'} on {m.get('metric', 'policy')} "
                       f"compute (tolerance {100 * m['tolerance']:.1f}%)",
            "headers": ["budget tokens differ", "processed (padded) tokens differ", "realized tokens differ",
                        *[f"judge calls / tokens in, out ({a})" for a in judge]],
            "rows": [[*(f"{100 * by[k]:.2f}%" if k in by else "n/a" for k in ("budget", "padded", "realized")),
                      *(f"{j.get('calls')} / {j.get('input_tokens')}, {j.get('output_tokens')}" for j in judge.values())]]})
    return {"title": "Compute ledger", "paragraphs": [], "tables": tables}


def _persistence(pers: Mapping) -> dict[str, Any] | None:
    if not pers:
        return None
    tables, bullets = [], []
    for p, comp in (pers.get("retention_comparison") or {}).items():
        rows = [[arm, _fmt(v["clean"]), _fmt(v["attacked"]), _fmt(v["retention"]), _ci(v["ci_low"], v["ci_high"], False),
                 _fmt((comp["differences"].get(arm) or {}).get("delta"), signed=False),
                 _ci((comp["differences"].get(arm) or {}).get("ci_low"), (comp["differences"].get(arm) or {}).get("ci_high"),
                     False)] for arm, v in comp["arms"].items()]
        tables.append({"caption": f"Persona `{p}`: retention (attacked / clean) on the same {comp['n']} items in every arm",
                       "headers": ["arm", "clean", "attacked", "retention", "95% CI", "minus baseline", "95% CI"],
                       "rows": rows})
    if pers.get("helpful_steering"):
        hs = pers["helpful_steering"]
        bullets.append(f"helpful-persona steering difference ({hs['treatment']} - {hs['baseline']}): "
                       f"{_fmt(hs['delta'])} {_ci(hs['ci_low'], hs['ci_high'], False)}")
    dc = pers.get("dose_comparison")
    if dc:
        rows = []
        for arm, pts in dc["arms"].items():
            diffs = {d["dose"]: d for d in dc["differences"].get(arm, [])}
            for d in pts:
                df = diffs.get(d["dose"], {})
                rows.append([arm, d["dose"], d["n"], _fmt(d["mean"]), _fmt(d["loss"]), _ci(d["ci_low"], d["ci_high"], False),
                             _fmt(df.get("delta_loss")), _ci(df.get("ci_low"), df.get("ci_high"), False)])
        tables.append({"caption": "Harmful fine-tuning: loss against each arm's own dose 0, on the items every arm shares",
                       "headers": ["arm", "dose", "n", "mean", "loss vs dose 0", "95% CI", "loss minus baseline's",
                                   "95% CI"], "rows": rows})
    for p, per_arm in (pers.get("retention") or {}).items():
        if "retention_comparison" not in pers:
            bullets.append(f"persona `{p}` retention (attacked/clean, each arm's own items): " + ", ".join(
                f"{arm} {_fmt(v.get('retention'))} {_ci(v.get('ci_low'), v.get('ci_high'), False)}"
                for arm, v in per_arm.items()))
    return {"title": "Persistence", "paragraphs": [], "tables": tables, "bullets": bullets}


def view(results: Mapping, out: Path) -> dict[str, Any]:
    """Everything both templates show, as plain strings and tables (no formatting decisions in templates)."""
    judge = results.get("judge", {})
    grader = judge.get("name", "unknown")
    if judge.get("approximate"):
        grader += ("; some numbers come from the approximate offline grader or refusal classifier (machine checks, "
                   "no judge model): treat those as rough")
    facts = [f"model: {results.get('model')}", f"eval grader(s), read from each eval's record: {grader}",
             f"refusal classifier(s): {', '.join(judge.get('refusal_classifiers', [])) or 'n/a'}"
             + (f" ({judge['refusal_fallbacks']} labels fell back to the offline classifier)"
                if judge.get("refusal_fallbacks") else ""),
             f"eval sample limit per eval: {results.get('limit') or 'none (all items)'}"]
    evals = results.get("evals", {})
    sections = [_comparison(c, evals) for c in results.get("comparisons", {}).values()]
    sections += [s for s in (_provenance(results, out), _compute(results), _persistence(results.get("persistence", {})))
                 if s]
    if results.get("skipped"):
        sections.append({"title": "Skipped evaluations",
                         "bullets": [f"{s['eval']}: {s['reason']}" for s in results["skipped"]]})
    if results.get("transcripts"):
        sections.append({"title": "Largest differences: side by side", "transcripts": [
            {"heading": f"{t['eval']} / {t['id']} (delta {t['delta']:+.2f})", "prompt": t["prompt"][:600],
             "left_label": f"{t['baseline_arm']} ({_fmt(t['baseline_score'])})", "left": t["baseline_response"][:800],
             "right_label": f"{t['treatment_arm']} ({_fmt(t['treatment_score'])})", "right": t["treatment_response"][:800]}
            for t in results["transcripts"]]})
    for s in sections:
        for key in ("paragraphs", "tables", "bullets", "transcripts"):
            s.setdefault(key, [])
    return {"title": str(results.get("name", "beneficial-rl run")), "facts": facts, "sections": sections}


def _md_text(s: Any) -> str:
    """Text safe to place in Markdown prose: characters that start structure are escaped."""
    import re

    return re.sub(r"([\\`*\[\]<>#|])", r"\\\1", str(s)).replace("\n", " ")


def _md_cell(c: Any) -> str:
    if isinstance(c, Mapping):
        return f"[{_md_text(c['text'])}]({c['href']})"
    return _md_text(c)


def _fence(s: Any) -> str:
    """A fenced block longer than any backtick run inside, so model text cannot close it."""
    import re

    text = str(s)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _env(autoescape: bool) -> Environment:
    env = Environment(loader=PackageLoader("beneficial_rl.analysis", "templates"), keep_trailing_newline=True,
                      autoescape=autoescape, trim_blocks=False)
    env.filters.update(md=_md_text, cell=_md_cell, fence=_fence)
    return env


CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1d2939}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #d0d5dd;padding:3px 8px}
th{background:#f2f4f7}blockquote{background:#fef3f2;border-left:4px solid #b42318;margin:1em 0;padding:.5em 1em}
img{max-width:100%;border:1px solid #eaecf0;margin:.5em 0}pre{white-space:pre-wrap;background:#f9fafb;padding:.5em}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}"""

# Marks the page once every figure has decoded, so a headless browser (and our test) can tell a
# report whose figures render from one with broken images.
SELF_CHECK = """<script>window.addEventListener('load', () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.figures = imgs.length; document.body.dataset.figuresRendered = ok;
});</script>"""


def markdown(results: Mapping, out: Path | None = None, figure_names: list[str] | None = None) -> str:
    return _env(False).get_template("report.md.j2").render(**view(results, out or Path(".")),
                                                           figures=figure_names or [])


def render(results: Mapping, out_dir: str | Path) -> dict[str, Path]:
    """Write index.html (figures embedded), report.md, results.json and figures/*.png."""
    out = Path(out_dir)
    figs = build_figures(results)
    for name, png in figs.items():
        atomic_write_bytes(out / "figures" / name, png)
    atomic_write_text(out / "report.md", markdown(results, out, list(figs)))
    page = _env(True).get_template("report.html.j2").render(
        **view(results, out), css=CSS, self_check=SELF_CHECK,
        images=[(n, base64.b64encode(png).decode()) for n, png in figs.items()])
    atomic_write_text(out / "index.html", page)
    atomic_write_json(out / "results.json", results)
    return {"html": out / "index.html", "md": out / "report.md", "json": out / "results.json"}
