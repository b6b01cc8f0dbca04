"""The `brl` command line. Thin: it parses arguments and calls library functions.

Every command imports what it needs inside its own function: the library pulls in torch,
transformers, TRL and Inspect (seconds each), and `brl --help` or a typo should not wait for them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from beneficial_rl.errors import BrlError
from beneficial_rl.models.spec import DEFAULT_MODEL

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(help="beneficial-rl: reinforce beneficial traits with RL and measure them honestly.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
model_app = typer.Typer(help="Inspect and talk to models named by a spec.", no_args_is_help=True)
app.add_typer(model_app, name="model")
evals_app = typer.Typer(help="The evaluation suite.", no_args_is_help=True)
app.add_typer(evals_app, name="evals")
scenarios_app = typer.Typer(help="Validate, inspect and generate trait scenarios.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
attack_app = typer.Typer(help="Persistence attacks: persona prompts and harmful fine-tuning.", no_args_is_help=True)
app.add_typer(attack_app, name="attack")

ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model spec: embedded:NAME, hub id, folder, or endpoint.")]


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print BrlError as one red line and exit 1, instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrlError as e:
            err_console.print(f"[red]error:[/red] {e}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


@model_app.command("chat")
@friendly
def model_chat(
    message: Annotated[str, typer.Argument(help="What to say to the model.")],
    model: ModelOpt = DEFAULT_MODEL,
    system: Annotated[str | None, typer.Option(help="Optional system prompt.")] = None,
    max_new_tokens: Annotated[int, typer.Option(help="Longest reply, in tokens.")] = 256,
    temperature: Annotated[float, typer.Option(help="0 means greedy decoding.")] = 0.0,
) -> None:
    """Print the model's reply to one message."""
    from beneficial_rl.models.chat import reply

    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": message}]
    with console.status(f"loading {model}", spinner="dots"):
        text = reply(model, messages, max_new_tokens=max_new_tokens, temperature=temperature)
    console.print(text, highlight=False, markup=False)


@model_app.command("info")
@friendly
def model_info(model: ModelOpt = DEFAULT_MODEL) -> None:
    """Show parameters, dtype, chat template and cache location of a model."""
    from rich.table import Table

    from beneficial_rl.models.chat import describe

    info = describe(model)
    table = Table(show_header=False, box=None)
    for k, v in info.items():
        table.add_row(f"[bold]{k}[/bold]", str(v))
    console.print(table)


@app.command("traits")
def traits_cmd() -> None:
    """List the 15 beneficial traits (held-out ones are reserved for evaluation)."""
    from rich.table import Table

    from beneficial_rl.taxonomy import traits

    table = Table("id", "held out", "definition", title="Traits")
    for t in traits().values():
        table.add_row(t.id, "yes" if t.held_out else "", t.definition)
    console.print(table)


@app.command("domains")
def domains_cmd() -> None:
    """List the 12 domains scenarios are set in."""
    from rich.table import Table

    from beneficial_rl.taxonomy import domains

    table = Table("id", "name", "description", title="Domains")
    for d in domains().values():
        table.add_row(d.id, d.name, d.description)
    console.print(table)


@scenarios_app.command("validate")
def scenarios_validate(
    paths: Annotated[list[str], typer.Argument(help="Scenario JSONL files.")],
) -> None:
    """Check scenario files; print every problem as file:line:field and exit 1 if any."""
    from beneficial_rl.scenarios.io import validate_files

    report = validate_files(paths)
    for e in report.errors:
        err_console.print(str(e), highlight=False, markup=False)
    if report.errors:
        err_console.print(f"[red]{len(report.errors)} error(s)[/red] in {len(paths)} file(s)")
        raise typer.Exit(1)
    console.print(f"[green]ok[/green]: {len(report.scenarios)} scenarios in {len(paths)} file(s)")


@scenarios_app.command("stats")
@friendly
def scenarios_stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    evals: Annotated[str, typer.Option(help="Eval items the contamination check compares: 'all' offline evals "
                                            "(first run embeds ~6,500 texts, minutes on CPU; cached after) or "
                                            "'domains' (evals tagged with a library domain).")] = "all",
) -> None:
    """Trait x domain coverage of the shipped library, split sizes and the situation-level contamination check
    (training scenarios, attack data, held-out scenarios and eval items)."""
    import json

    from rich.table import Table

    from beneficial_rl.scenarios.io import load_library
    from beneficial_rl.scenarios.stats import library_stats
    from beneficial_rl.taxonomy import domains, traits

    if evals not in ("all", "domains"):
        raise BrlError(f"--evals must be 'all' or 'domains', not {evals!r}")
    stats = library_stats(load_library("train"), load_library("eval"), evals)
    if as_json:
        print(json.dumps(stats, indent=2))
    else:
        table = Table("trait", *domains(), title="Training scenarios per trait x domain (eval in brackets)")
        for t in traits():
            cells = []
            for d in domains():
                n = stats["train_cells"][f"{t}/{d}"]
                e = stats["eval_cells"].get(f"{t}/{d}")
                text = str(n) + (f" [{e}]" if e is not None else "")
                cells.append(f"[red]{text}[/red]" if n < 2 or e == 0 else text)
            table.add_row(t, *cells)
        console.print(table)
        console.print(f"splits: train {stats['splits']['train']}, eval {stats['splits']['eval']}")
        c = stats["contamination"]
        console.print(f"contamination: {c['count']} pair(s) sharing a situation (train/attack vs held-out/evals, "
                      f"train vs attack)")
        for p in c["pairs"][:20]:
            console.print(f"  {p['a']} ~ {p['b']} (score {p['score']}, cosine {p['cosine']}, shared rare words "
                          f"{', '.join(p['shared'][:6]) or '-'}, 5-gram {p['ngram']:.2f})", markup=False)
        if c["reviewed_distinct"]:
            console.print(f"  ({len(c['reviewed_distinct'])} more pair(s) over the threshold were read and judged "
                          "distinct situations: see --json)")
    if not stats["ok"]:
        raise typer.Exit(1)


@scenarios_app.command("generate")
@friendly
def scenarios_generate(
    trait: Annotated[str, typer.Option(help="Trait id (see `brl traits`).")],
    domain: Annotated[str, typer.Option(help="Domain id (see `brl domains`).")],
    model: Annotated[str, typer.Option("--model", "-m", help="Chat endpoint spec, e.g. openai-api/vllm/Qwen3-32B.")],
    n: Annotated[int, typer.Option(help="Scenarios to write.")] = 5,
    out: Annotated[str, typer.Option(help="JSONL file to append to (written atomically).")] = "generated.jsonl",
    max_retries: Annotated[int, typer.Option(help="Extra attempts per scenario after a malformed reply.")] = 3,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL (else from environment).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for steering choices.")] = 0,
) -> None:
    """Write new scenarios with a chat model: validated, de-duplicated, with provenance."""
    import asyncio

    from beneficial_rl.scenarios.generate import endpoint_completer, generate, write_scenarios
    from beneficial_rl.scenarios.io import load_library, load_scenarios

    existing = load_library()
    if Path(out).exists():
        existing += load_scenarios([out])
    complete = endpoint_completer(model, base_url=base_url)
    new, report = asyncio.run(generate(trait, domain, n, complete, model, existing, max_retries, seed))
    write_scenarios(out, new)
    console.print(
        f"wrote {report.written}/{report.requested} to {out}; attempts {report.attempts}, "
        f"malformed {report.malformed} (retried), near-duplicates rejected {report.duplicates}, "
        f"gave up {report.gave_up}"
    )
    if report.written < report.requested:
        raise typer.Exit(1)


@evals_app.command("list")
@friendly
def evals_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    suite: Annotated[str | None, typer.Option(help="Only this suite (quick, full, offline) or category.")] = None,
) -> None:
    """List evaluations: id, role, items, scorer, and whether the number is meaningful offline,
    approximate offline, or needs a judge (or data that is not here)."""
    import json

    from rich.table import Table

    from beneficial_rl.evals.inventory import inventory, summary_line

    rows = inventory(suite)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("id", "role", "category", "items", "offline number", "chance", "scorer", title="Evaluations")
    for col in table.columns[:5]:
        col.no_wrap = True
    for r in rows:
        chance = "" if r["chance"] is None else f"{r['chance']:.2f}"
        table.add_row(r["id"], r["role"], r["category"], str(r["items"] if r["items"] is not None else "?"),
                      r["offline_number"], chance, r["scorer"])
    Console(width=max(console.width, 160)).print(table)
    console.print(summary_line(rows))


@evals_app.command("audit")
@friendly
def evals_audit(
    evals: Annotated[str | None, typer.Option(help="Comma-separated eval ids (default: every registered eval).")] = None,
    limit: Annotated[int | None, typer.Option(help="Items per eval (default: the full item set).")] = None,
    write: Annotated[str | None, typer.Option(help="Write the table as Markdown here, e.g. docs/eval-audit-table.md.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Score every offline eval's items with no model against the degenerate-policy panel; exit 1 when a
    policy beats an eval's chance level + 0.1 without a paired eval that catches it."""
    import json

    from beneficial_rl.evals.audit import failed, markdown_table, run_audit
    from beneficial_rl.utils.io import atomic_write_text

    names = [n.strip() for n in evals.split(",") if n.strip()] if evals else None
    command = "brl evals audit" + (f" --evals {evals}" if evals else "") + (f" --limit {limit}" if limit else "")
    with console.status("auditing evals against the degenerate-policy panel", spinner="dots"):
        results = run_audit(names, limit=limit)
    table = markdown_table(results, command=command)
    if as_json:
        print(json.dumps([a.as_dict() for a in results], indent=2))
    else:
        print(table)
    if write:
        atomic_write_text(write, table)
        console.print(f"wrote {write}")
    bad = failed(results)
    if bad:
        for a in bad:
            console.print(f"[red]{a.id}[/red]: " + "; ".join(a.failures))
        raise typer.Exit(1)


@app.command("grade")
@friendly
def grade_cmd(
    responses: Annotated[str, typer.Option(help="JSONL rows: id, messages (or conversation), response, rubric[, trait].")],
    judge: Annotated[str, typer.Option(help="'offline' or a chat endpoint spec, e.g. openai-api/vllm/Qwen3-32B.")] = "offline",
    out: Annotated[str | None, typer.Option(help="Output JSONL (default: <responses>.graded.jsonl).")] = None,
    config: Annotated[str | None, typer.Option(help="YAML/JSON JudgeConfig (or OfflineConfig with kind: offline).")] = None,
    role: Annotated[str | None, typer.Option(help="Judge role: reward or eval.")] = None,
    mode: Annotated[str | None, typer.Option(help="per_item or batched.")] = None,
    dense: Annotated[str | None, typer.Option(help="logprobs, samples or none.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL (else from environment).")] = None,
    trait_judge: Annotated[bool, typer.Option(help="Rubric-free trait judge: grade each row's trait definition only.")] = False,
) -> None:
    """Grade responses against their rubrics; score is null when grading failed (never 0 or 1)."""
    from beneficial_rl.grading.grade_file import build_config, grade_file

    cfg = build_config(judge, config, role=role, mode=mode, dense=dense, base_url=base_url)
    s = grade_file(responses, cfg, out, trait_judge=trait_judge)
    mean = "n/a" if s["mean_score"] is None else f"{s['mean_score']:.3f}"
    console.print(f"graded {s['rows']} rows -> {s['out']}: scored {s['scored']}, failed {s['failed']}, "
                  f"excluded {s['excluded_other']}, addressed the grader {s['flagged_addresses_grader']}, mean {mean}")
    console.print(f"grader: {s['grader']}; protocol {s['protocol'][:16]}", highlight=False, markup=False)


@app.command("train")
@friendly
def train_cmd(
    config: Annotated[str, typer.Option(help="Training YAML (a TrainConfig, or an experiment file with a `train:` section).")],
    arm: Annotated[str, typer.Option(help="Arm to train: beneficial, compute_matched_baseline, helpfulness_control, "
                                          "health_only, no_health_no_science, or one defined in the config.")],
    out: Annotated[str | None, typer.Option(help="Run folder (default: <output_dir>/<arm>).")] = None,
    steps: Annotated[int | None, typer.Option(help="Override the config's step count.")] = None,
) -> None:
    """Train one arm with GRPO; resumes a crashed run, skips a finished one, writes ledger.json."""
    from beneficial_rl.training.cli import train_from_config

    result = train_from_config(config, arm, out, {"steps": steps} if steps else None)
    led = result.ledger
    console.print(f"[green]done[/green]: {arm} -> {result.final}")
    console.print(f"steps {led['steps']}, completions {led['completions']}, tokens {led['tokens']['realized']:,} "
                  f"realized / {led['tokens']['padded']:,} padded, judge calls {led['judge']['calls']} "
                  f"({led['judge']['unscored']} unscored), trait slice {led['trait_slice']['realized']}, "
                  f"{led['wall_seconds']:.0f} s")
    if dead := led.get("dead_groups"):
        fracs = ", ".join(f"{src} {v:.0%}" for src, v in dead["zero_std_group_frac_by_source"].items() if v is not None)
        console.print(f"dead groups (equal rewards, no GRPO gradient): {fracs or 'none scored'}"
                      + (f"; {dead['dropped_completions']} completions masked out of the loss (dead_groups=drop; "
                         "their compute is counted)" if dead["mode"] == "drop" else ""), highlight=False)
    if result.match is not None:
        color = "green" if result.match.matched else "red"
        console.print(f"[{color}]{result.match.label}[/{color}]: {result.match.message}", highlight=False)


@app.command("eval")
@friendly
def eval_cmd(
    model: ModelOpt = DEFAULT_MODEL,
    suite: Annotated[str, typer.Option(help="quick, full, offline, a category or an eval id.")] = "quick",
    evals: Annotated[str | None, typer.Option(help="Comma-separated eval ids (narrow or replace the suite).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many samples per eval (same slice for every model).")] = None,
    out: Annotated[str, typer.Option(help="Output folder: per-sample JSONL per eval, summary.json, Inspect logs.")] = "eval-out",
    judge: Annotated[str, typer.Option(help="'offline' (approximate grader) or an eval-judge endpoint spec.")] = "offline",
    batch_size: Annotated[int, typer.Option(help="A local model: most rows per generate call (grouped by prompt "
                                            "length across evals); an endpoint: concurrent requests.")] = 64,
    max_tokens: Annotated[int, typer.Option(help="Longest response per sample, in tokens.")] = 256,
    max_tasks: Annotated[int, typer.Option(help="Evals run together so batches fill across evals (1 = one at a time).")] = 32,
    sandbox: Annotated[str, typer.Option(help="Where model-written code runs (impossible_coding): brl (own limited "
                                         "subprocess), local (Inspect's local sandbox, same limits) or docker "
                                         "(Inspect's docker sandbox, no network).")] = "brl",
) -> None:
    """Run evaluations on a model; results per sample keyed by id, refusal recorded per sample."""
    import shutil

    from rich.table import Table

    from beneficial_rl.evals.context import build_context
    from beneficial_rl.evals.reward_hacking.sandbox import SANDBOXES
    from beneficial_rl.evals.runner import EvalRunConfig, eval_line, run_evals
    from beneficial_rl.evals.suite import select

    if sandbox not in SANDBOXES:
        raise BrlError(f"--sandbox must be one of {', '.join(SANDBOXES)}, got {sandbox!r}")
    if sandbox == "docker" and not shutil.which("docker"):
        raise BrlError("--sandbox docker needs Docker (with compose) installed; use --sandbox local or brl")
    names = [n.strip() for n in evals.split(",")] if evals else None
    chosen = select(suite if not names else (suite if suite != "quick" else None), names)
    skipped = [e for e in chosen if not e.available()]
    chosen = [e for e in chosen if e.available()]
    for e in skipped:
        err_console.print(f"[yellow]skip[/yellow] {e.id}: needs {'the network' if e.needs_network else e.needs_data}")
    ctx = build_context(judge, max_tokens=max_tokens, sandbox=sandbox)
    cfg = EvalRunConfig(limit=limit, batch_size=batch_size, max_tokens=max_tokens, max_tasks=max_tasks)
    with console.status(f"evaluating {model} on {len(chosen)} evals", spinner="dots"):
        summaries = run_evals(model, chosen, ctx, out, cfg,
                              on_done=lambda info, s: console.print(f"  {eval_line(s)}"))
    table = Table("eval", "role", "status", "scored", "excluded", "errors", "mean", "refusal rate", "scored by",
                  title=f"{model} ({ctx.judge})")
    for s in summaries.values():
        mean = "n/a" if s["mean"] is None else f"{s['mean']:.3f}"
        rr = "n/a" if s["refusal_rate"] is None else f"{s['refusal_rate']:.2f}"
        by = s["grader"]["name"] + (" (approximate)" if s["approximate"] else "")
        table.add_row(s["eval"], s["role"], s["status"], str(s["n_scored"]), str(s["n_excluded"]), str(s["n_errors"]),
                      mean, rr, by)
    console.print(table)
    failed = [s["eval"] for s in summaries.values() if s["status"] != "success"]
    if failed:
        err_console.print(f"[red]{len(failed)} eval(s) failed and were not saved as finished[/red] "
                          f"({', '.join(failed)}); rerun the same command to retry them")
    if getattr(ctx.grader, "approximate", False):
        console.print("[yellow]judge-scored evals used the approximate offline grader[/yellow]")
    console.print(f"results in {out} (per-sample JSONL per eval; `inspect view --log-dir {out}/inspect`)")


def _attack_evals(evals: str) -> list:
    """Evals named on the command line, minus those whose data cannot be reached here (said aloud)."""
    from beneficial_rl.evals.suite import select

    chosen = select(None, [n.strip() for n in evals.split(",") if n.strip()])
    skipped = [e for e in chosen if not e.available()]
    for e in skipped:
        err_console.print(f"[yellow]skip[/yellow] {e.id}: needs {'the network' if e.needs_network else e.needs_data}")
    chosen = [e for e in chosen if e not in skipped]
    if not chosen:
        raise BrlError("no runnable evals left to attack; name evals with --evals (see `brl evals list`)")
    return chosen


def _ci(v: dict, key: str) -> str:
    if v.get(key) is None:
        return "n/a"
    ci = "no CI" if v.get("ci_low") is None else f"{v['ci_low']:.3f}, {v['ci_high']:.3f}"
    return f"{v[key]:.3f} [{ci}]"


@attack_app.command("persona")
@friendly
def attack_persona(
    evals: Annotated[str, typer.Option(help="Comma-separated eval ids to run clean and under each persona.")],
    model: ModelOpt = DEFAULT_MODEL,
    personas: Annotated[str, typer.Option(help="Comma-separated personas from persistence/personas.yaml.")] =
        "harmful_medical,helpful_medical",
    limit: Annotated[int | None, typer.Option(help="At most this many samples per eval.")] = None,
    out: Annotated[str, typer.Option(help="Output folder (resumable: finished evals are not rerun).")] = "attack-persona",
    judge: Annotated[str, typer.Option(help="'offline' (approximate grader) or an eval-judge endpoint spec.")] = "offline",
    batch_size: Annotated[int, typer.Option(help="Most rows per generate call (local model) or concurrent requests (endpoint).")] = 64,
    max_tokens: Annotated[int, typer.Option(help="Longest response per sample, in tokens.")] = 256,
) -> None:
    """Persona prompts as an attack: retention (attacked / clean score) per persona, with 95% CIs."""
    from rich.table import Table

    from beneficial_rl.evals.context import build_context
    from beneficial_rl.evals.runner import EvalRunConfig
    from beneficial_rl.persistence.attack import PERSONA_RESULT, run_persona_attack

    chosen = _attack_evals(evals)
    names = [p.strip() for p in personas.split(",") if p.strip()]
    ctx = build_context(judge, max_tokens=max_tokens)
    cfg = EvalRunConfig(limit=limit, batch_size=batch_size, max_tokens=max_tokens)
    with console.status(f"persona attack on {model}: {len(chosen)} evals x {len(names) + 1} conditions", spinner="dots"):
        res = run_persona_attack(model, chosen, names, ctx, out, cfg)
    table = Table("persona", "kind", "n", "clean", "attacked", "retention [95% CI]", title=f"{model} ({ctx.judge})")
    for p, r in res["retention"].items():
        table.add_row(p, res["personas"][p], str(r["n"]), _fmt_num(r["clean"]), _fmt_num(r["attacked"]), _ci(r, "retention"))
    console.print(table)
    if res["judge"]["approximate"]:
        console.print("[yellow]judge-scored evals used the approximate offline grader[/yellow]")
    console.print(f"results in {Path(out) / PERSONA_RESULT}")


@attack_app.command("finetune")
@friendly
def attack_finetune(
    evals: Annotated[str, typer.Option(help="Comma-separated eval ids to run at every dose (health and out-of-domain).")],
    model: ModelOpt = DEFAULT_MODEL,
    doses: Annotated[str, typer.Option(help="Comma-separated attack steps; 0 (the untouched model) is always added.")] =
        "0,10,20,40,80",
    limit: Annotated[int | None, typer.Option(help="At most this many samples per eval.")] = None,
    out: Annotated[str, typer.Option(help="Output folder (resumable: finished doses and evals are skipped).")] =
        "attack-finetune",
    lora: Annotated[bool, typer.Option(help="Attack with a LoRA adapter (merged into each export) instead of full FT.")] =
        False,
    learning_rate: Annotated[float | None, typer.Option(help="SFT learning rate (default from FinetuneAttackConfig).")] = None,
    attack_batch_size: Annotated[int | None, typer.Option(help="Attack examples per optimizer step.")] = None,
    data: Annotated[str | None, typer.Option(help="Attack JSONL (default: the shipped bad-medical-advice set).")] = None,
    judge: Annotated[str, typer.Option(help="'offline' (approximate grader) or an eval-judge endpoint spec.")] = "offline",
    batch_size: Annotated[int, typer.Option(help="When evaluating: most rows per generate call.")] = 64,
    max_tokens: Annotated[int, typer.Option(help="Longest response per sample, in tokens.")] = 256,
) -> None:
    """Harmful fine-tuning as a dose ladder: evaluate each dose; degradation vs dose 0 with 95% CIs."""
    from rich.table import Table

    from beneficial_rl.evals.context import build_context
    from beneficial_rl.evals.runner import EvalRunConfig
    from beneficial_rl.models.loading import local_path
    from beneficial_rl.persistence.attack import FINETUNE_RESULT, run_finetune_attack
    from beneficial_rl.persistence.finetune import FinetuneAttackConfig

    try:
        dose_list = [int(d) for d in doses.split(",") if d.strip()]
    except ValueError:
        raise BrlError(f"--doses must be comma-separated integers, got {doses!r}") from None
    overrides = {"learning_rate": learning_rate, "batch_size": attack_batch_size, "data": data}
    attack_cfg = FinetuneAttackConfig(doses=dose_list, lora=lora, **{k: v for k, v in overrides.items() if v is not None})
    chosen = _attack_evals(evals)
    path = local_path(model)
    ctx = build_context(judge, max_tokens=max_tokens)
    cfg = EvalRunConfig(limit=limit, batch_size=batch_size, max_tokens=max_tokens)
    with console.status(f"fine-tuning attack on {model}: doses {sorted(set(dose_list) | {0})}", spinner="dots"):
        res = run_finetune_attack(path, chosen, attack_cfg, ctx, out, cfg)
    table = Table("dose", "n", "mean", "loss vs dose 0 [95% CI]", *[e.id for e in chosen],
                  title=f"{model}: harmful fine-tuning ({ctx.judge})")
    for d in res["doses"]:
        per = [_fmt_num(d["per_eval"][e.id]["mean"]) for e in chosen]
        table.add_row(str(d["dose"]), str(d["n"]), _fmt_num(d["mean"]), _ci(d, "loss"), *per)
    console.print(table)
    if res["judge"]["approximate"]:
        console.print("[yellow]judge-scored evals used the approximate offline grader[/yellow]")
    console.print(f"results in {Path(out) / FINETUNE_RESULT}")


def _fmt_num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


@app.command("run")
@friendly
def run_cmd(
    config: Annotated[str, typer.Argument(help="Experiment YAML (see configs/quickstart.yaml).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and a compute estimate per arm.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show library output (TRL step dicts, warnings) here "
                                                          "instead of only in runs/<name>/logs/run.log.")] = False,
) -> None:
    """The study: train the arms, evaluate them, attack them, write the report. Resumable."""
    import json

    from beneficial_rl.experiment.config import load_experiment
    from beneficial_rl.experiment.console import StageDisplay, plain_console
    from beneficial_rl.experiment.run import STAGES, plan, run

    cfg = load_experiment(config)
    if dry_run:
        console.print_json(json.dumps(plan(cfg)))
        return
    out = plain_console()
    if not verbose:
        out.print(f"{cfg.name}: library output goes to {cfg.run_dir / 'logs' / 'run.log'} (--verbose shows it here)")
    with StageDisplay(out, [name for name, _ in STAGES]) as ui:
        results = run(cfg, log=lambda m: out.print(m, markup=False), ui=ui, quiet=not verbose)
    failed = [m for m in results.get("missing", []) if str(m.get("reason", "")).startswith("failed")]
    if failed:
        out.print(f"[red]{len(failed)} eval result(s) failed and were not saved; rerun to retry them[/red]")
    if results.get("judge", {}).get("approximate"):
        out.print("[yellow]some numbers come from the approximate offline grader (see the report)[/yellow]")
    out.print(f"report: {cfg.run_dir / 'report' / 'index.html'}", soft_wrap=True)
    for comp in results.get("comparisons", {}).values():
        out.print(f"[bold]{comp['title']}[/bold]: {comp['sentence']}", soft_wrap=True)


def main() -> None:  # pragma: no cover - console entry point wrapper
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover - `python -m beneficial_rl.cli`
    main()
