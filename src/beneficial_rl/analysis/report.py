"""Render a run's results as one self-contained HTML file, Markdown, results.json and PNGs.

The report states its own caveats: which judge graded (and "approximate offline grader" when it
was), sample sizes, skipped evals and why, and any arm pair that is not compute-matched. It never
prints a number that is not in `results`.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from beneficial_rl.analysis import figures
from beneficial_rl.utils.io import atomic_write_bytes, atomic_write_json, atomic_write_text


def _fmt(x: Any, pct: bool = False, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        v = 100 * x if pct else x
        return f"{v:+.1f}" if signed else (f"{v:.1f}" if pct else f"{v:.3f}")
    return str(x)


def build_figures(results: Mapping) -> dict[str, bytes]:
    figs: dict[str, bytes] = {}
    for key, comp in results.get("comparisons", {}).items():
        if comp.get("results"):
            figs[f"forest_{key}.png"] = figures.forest_plot(comp["results"], comp["title"])
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


def markdown(results: Mapping) -> str:
    out = [f"# {results.get('name', 'beneficial-rl run')}", ""]
    judge = results.get("judge", {})
    grader = judge.get("name", "unknown")
    if judge.get("approximate"):
        grader = "approximate offline grader (machine checks, no judge model); treat judge-scored numbers as rough"
    out += [f"- model: `{results.get('model')}`", f"- eval grader: {grader}",
            f"- eval sample limit per eval: {results.get('limit') or 'none (all items)'}", ""]
    for comp in results.get("comparisons", {}).values():
        out += [f"## {comp['title']}", "", f"**{comp['treatment']} vs {comp['baseline']}: {comp['sentence']}.**", ""]
        if not comp.get("compute_matched", True):
            out += [f"> Not compute-matched: {comp.get('compute_note')}", ""]
        rc = comp.get("refusal_controlled")
        if rc:
            out += [f"Refusal-controlled (paired non-refusals only): {rc['sentence']}.", ""]
        out += ["| eval | category | n | baseline | treatment | delta (pts) | 95% CI | q (BH) |",
                "|---|---|---:|---:|---:|---:|---|---:|"]
        for r in sorted(comp["results"], key=lambda r: -(r["delta"] or 0)):
            ci = "n/a" if r["ci_low"] is None else f"[{100 * r['ci_low']:+.1f}, {100 * r['ci_high']:+.1f}]"
            star = " *" if r.get("significant") else ""
            out.append(f"| {r['eval']} | {r.get('category', '')} | {r['n']} | {_fmt(r['baseline_mean'])} | "
                       f"{_fmt(r['treatment_mean'])} | {_fmt(r['delta'], pct=True, signed=True)}{star} | {ci} | "
                       f"{_fmt(r['q_value'])} |")
        out.append("")
        if comp.get("transfer"):
            out += ["Transfer (domain-restricted arm):", ""]
            for k, v in comp["transfer"].items():
                out.append(f"- {k}: improved {v['improved']} of {v['evaluations']}, mean "
                           f"{_fmt(v['mean_points'], signed=True) if v['mean_points'] is not None else 'n/a'} points")
            out.append("")
    if results.get("held_out"):
        out += ["## Held-out traits", "", "| trait | " + " | ".join(results["held_out"]) + " |",
                "|---|" + "---:|" * len(results["held_out"])]
        traits = sorted({t for a in results["held_out"].values() for t in a})
        for t in traits:
            out.append(f"| {t} | " + " | ".join(_fmt(results["held_out"][a].get(t)) for a in results["held_out"]) + " |")
        out.append("")
    if results.get("ledgers"):
        out += ["## Compute ledger", "", "| arm | steps | completions | generated tokens | trained tokens | "
                "policy FLOPs | judge calls | wall s |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for arm, lg in results["ledgers"].items():
            out.append(f"| {arm} | {lg.get('steps')} | {lg.get('completions')} | {lg.get('generated_tokens')} | "
                       f"{lg.get('trained_tokens')} | {lg.get('policy_flops', 0):.3g} | {lg.get('judge_calls')} | "
                       f"{_fmt(lg.get('wall_seconds'))} |")
        out.append("")
        for m in results.get("compute_match", []):
            verdict = "matched" if m["matched"] else "NOT matched"
            out.append(f"- {m['pair']}: {verdict} (policy compute differs by {100 * m['rel_diff']:.2f}%, "
                       f"tolerance {100 * m['tolerance']:.1f}%)")
        out.append("")
    pers = results.get("persistence", {})
    if pers:
        out += ["## Persistence", ""]
        for p, per_arm in pers.get("retention", {}).items():
            cells = ", ".join(f"{arm} {_fmt(v.get('retention'))} [{_fmt(v.get('ci_low'))}, {_fmt(v.get('ci_high'))}]"
                              for arm, v in per_arm.items())
            out.append(f"- persona `{p}` retention (attacked/clean): {cells}")
        if pers.get("helpful_steering"):
            hs = pers["helpful_steering"]
            out.append(f"- helpful-persona steering difference ({hs['treatment']} - {hs['baseline']}): "
                       f"{_fmt(hs['delta'], signed=False)} [{_fmt(hs['ci_low'])}, {_fmt(hs['ci_high'])}]")
        for arm, pts in pers.get("dose_response", {}).items():
            out.append(f"- fine-tuning `{arm}`: " + ", ".join(f"dose {d['dose']}: {_fmt(d['mean'])}" for d in pts))
        out.append("")
    if results.get("skipped"):
        out += ["## Skipped evaluations", ""] + [f"- `{s['eval']}`: {s['reason']}" for s in results["skipped"]] + [""]
    if results.get("transcripts"):
        out += ["## Largest differences: side by side", ""]
        for t in results["transcripts"]:
            out += [f"### {t['eval']} / {t['id']} (delta {t['delta']:+.2f})", "", f"**Prompt:** {t['prompt'][:600]}", "",
                    f"**{t['baseline_arm']}** ({_fmt(t['baseline_score'])}): {t['baseline_response'][:800]}", "",
                    f"**{t['treatment_arm']}** ({_fmt(t['treatment_score'])}): {t['treatment_response'][:800]}", ""]
    return "\n".join(out)


def _md_to_html(md: str) -> str:
    """A small converter for the Markdown this module writes (headings, lists, tables, bold)."""
    import re

    lines, out, in_table, in_list = md.splitlines(), [], False, False
    for line in lines:
        esc = html.escape(line)
        esc = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc)
        esc = re.sub(r"`(.+?)`", r"<code>\1</code>", esc)
        if line.startswith("|"):
            cells = [c.strip() for c in esc.strip("|").split("|")]
            if all(set(c) <= set("-:") for c in cells):
                continue
            tag = "th" if not in_table else "td"
            if not in_table:
                out.append("<table>")
                in_table = True
            out.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{esc[2:]}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{esc[level:].strip()}</h{level}>")
        elif line.startswith("&gt; "):
            out.append(f"<blockquote>{esc[5:]}</blockquote>")
        elif line.strip():
            out.append(f"<p>{esc}</p>")
    if in_table:
        out.append("</table>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


CSS = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1d2939}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #d0d5dd;padding:3px 8px}
th{background:#f2f4f7}blockquote{background:#fef3f2;border-left:4px solid #b42318;margin:1em 0;padding:.5em 1em}
img{max-width:100%;border:1px solid #eaecf0;margin:.5em 0}code{background:#f2f4f7;padding:0 3px}"""


# Marks the page once every figure has decoded, so a headless browser (and our test) can tell a
# report whose figures render from one with broken images.
SELF_CHECK = """<script>window.addEventListener('load', () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.figures = imgs.length; document.body.dataset.figuresRendered = ok;
});</script>"""


def render(results: Mapping, out_dir: str | Path) -> dict[str, Path]:
    """Write index.html (figures embedded), report.md, results.json and figures/*.png."""
    out = Path(out_dir)
    figs = build_figures(results)
    for name, png in figs.items():
        atomic_write_bytes(out / "figures" / name, png)
    md = markdown(results)
    md_with_figs = md + "\n\n## Figures\n\n" + "\n".join(f"![{n}](figures/{n})" for n in figs)
    atomic_write_text(out / "report.md", md_with_figs + "\n")
    imgs = "\n".join(f'<figure><img alt="{n}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
                     f"<figcaption>{n}</figcaption></figure>" for n, png in figs.items())
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(str(results.get('name')))}"
            f"</title><style>{CSS}</style></head><body>{_md_to_html(md)}<h2>Figures</h2>{imgs}{SELF_CHECK}</body></html>")
    atomic_write_text(out / "index.html", page)
    atomic_write_json(out / "results.json", results)
    return {"html": out / "index.html", "md": out / "report.md", "json": out / "results.json"}
