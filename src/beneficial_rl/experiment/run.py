"""`brl run`: arms -> train -> evaluate -> attacks -> report, every stage resumable.

Each stage checks for its own finished outputs (done markers, per-eval result files) and skips
work already done, so a killed run is simply rerun. The resolved config, git hash and package
versions are saved once; a rerun with a different config under the same name is refused rather
than mixing two experiments in one folder.

Stages import their machinery (training pulls in torch and TRL, evaluation Inspect) inside the stage
function, so `brl run --dry-run` and config validation answer in a second.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from beneficial_rl.errors import BrlError
from beneficial_rl.experiment.config import ExperimentConfig
from beneficial_rl.experiment.console import StageDisplay, library_output_to, now, train_callback
from beneficial_rl.experiment.layout import PRE_RL, arm_dir, eval_arms, model_for
from beneficial_rl.utils.io import atomic_write_text

Log = Callable[[str], None]


def _git_hash() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ["beneficial-rl", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "inspect-ai"]:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def save_config(cfg: ExperimentConfig) -> None:
    path = cfg.run_dir / "config.yaml"
    body = cfg.model_dump(mode="json")
    if path.exists():
        saved = yaml.safe_load(path.read_text()) or {}
        if saved.get("experiment") != body:
            raise BrlError(f"{path} holds a different config; use a new run name (or delete {cfg.run_dir}) "
                           "instead of mixing two experiments in one folder")
        return
    doc = {"experiment": body, "git": _git_hash(), "versions": _versions(),
           "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    atomic_write_text(path, yaml.safe_dump(doc, sort_keys=False))


def plan(cfg: ExperimentConfig) -> dict[str, Any]:
    """What `brl run` will do, with a compute estimate per arm, without loading any weights."""
    from beneficial_rl.evals.suite import select
    from beneficial_rl.experiment.estimate import estimate_arms

    evals = select(cfg.eval.suite if not cfg.eval.evals else None, cfg.eval.evals)
    for a in cfg.arms:
        cfg.train.arm(a)  # unknown arm -> clear error before anything runs
    if cfg.baseline not in cfg.arms:
        raise BrlError(f"baseline arm {cfg.baseline!r} is not among the arms {cfg.arms}")
    return {
        "run_dir": str(cfg.run_dir),
        "arms": estimate_arms(cfg.train, list(cfg.arms)),
        "evals": [e.id for e in evals],
        "eval_models": eval_arms(cfg),
        "eval_limit": cfg.eval.limit,
        "judge": cfg.eval.judge,
        "reward_judge": cfg.train.reward_judge,
        "persona_attack": cfg.attacks.persona.model_dump() if cfg.attacks.persona else None,
        "finetune_attack": cfg.attacks.finetune.model_dump() if cfg.attacks.finetune else None,
    }


def stage_train(cfg: ExperimentConfig, log: Log, ui: StageDisplay | None = None) -> None:
    from beneficial_rl.grading.factory import make_grader
    from beneficial_rl.training.runner import train_arm

    grader = make_grader(cfg.train.reward_judge, use="reward")
    n = len(cfg.arms)
    if ui:
        ui.start("train", n * cfg.train.steps, f"{n} arm(s) x {cfg.train.steps} steps")
    for k, arm in enumerate(cfg.arms, 1):
        t = time.time()
        cb = train_callback(ui, arm, k, n, cfg.train.steps, (k - 1) * cfg.train.steps)
        final = train_arm(cfg.train, arm, arm_dir(cfg, arm), grader, callbacks=[cb])
        if ui:
            ui.update("train", f"arm {k}/{n} {arm} done", completed=k * cfg.train.steps)
        log(f"train {arm}: {final} ({time.time() - t:.0f} s this session)")
    if ui:
        ui.finish("train", f"{n} arm(s) trained")


def stage_eval(cfg: ExperimentConfig, log: Log, ui: StageDisplay | None = None) -> None:
    from beneficial_rl.evals.context import build_context
    from beneficial_rl.evals.runner import eval_line, run_evals
    from beneficial_rl.evals.suite import select

    evals = [e for e in select(cfg.eval.suite if not cfg.eval.evals else None, cfg.eval.evals) if e.available()]
    ctx = build_context(cfg.eval.judge, cfg.eval.trait_judge, cfg.eval.refusal, cfg.eval.max_tokens, cfg.eval.sandbox)
    run_cfg = eval_run_config(cfg, cfg.eval.limit)
    arms = eval_arms(cfg)
    if ui:
        ui.start("evaluate", len(arms) * len(evals), f"{len(evals)} evals x {len(arms)} model(s)")
    failed = 0
    for k, arm in enumerate(arms, 1):
        t = time.time()

        def done(info: Any, s: dict, arm: str = arm, k: int = k) -> None:
            log(f"eval {arm}/{eval_line(s)}")
            if ui:
                ui.update("evaluate", f"model {k}/{len(arms)} {arm}, last: {eval_line(s)}", advance=1)

        summaries = run_evals(model_for(cfg, arm), evals, ctx, cfg.run_dir / "evals" / arm, run_cfg, on_done=done)
        failed += sum(s["status"] != "success" for s in summaries.values())
        if ui:
            ui.update("evaluate", completed=k * len(evals))
        log(f"eval {arm}: {len(evals)} evals ({time.time() - t:.0f} s)")
    if ui:
        ui.finish("evaluate", f"{len(evals)} evals x {len(arms)} model(s)"
                  + (f", {failed} FAILED (rerun to retry)" if failed else ""))


def eval_run_config(cfg: ExperimentConfig, limit: int | None) -> Any:
    """The eval stage's settings, shared by the clean evals and both attacks."""
    from beneficial_rl.evals.runner import EvalRunConfig

    e = cfg.eval
    return EvalRunConfig(limit=limit, batch_size=e.batch_size, batch_tokens=e.batch_tokens, dtype=e.dtype,
                         max_tokens=e.max_tokens, max_tasks=e.max_tasks)


def stage_attacks(cfg: ExperimentConfig, log: Log, ui: StageDisplay | None = None) -> None:
    from beneficial_rl.evals.context import build_context
    from beneficial_rl.evals.suite import get_eval
    from beneficial_rl.persistence.attack import run_finetune_attack, run_persona_attack

    ctx = build_context(cfg.eval.judge, cfg.eval.trait_judge, cfg.eval.refusal, cfg.eval.max_tokens, cfg.eval.sandbox)
    arms = eval_arms(cfg)
    jobs = len(arms) * (bool(cfg.attacks.persona) + bool(cfg.attacks.finetune))
    if ui:
        ui.start("attacks", jobs, f"{jobs} attack run(s)")
    if cfg.attacks.persona:
        p = cfg.attacks.persona
        infos = [get_eval(e) for e in p.evals]
        run_cfg = eval_run_config(cfg, p.limit or cfg.eval.limit)
        for arm in arms:
            if ui:
                ui.update("attacks", f"persona prompts on {arm}")
            run_persona_attack(model_for(cfg, arm), infos, p.personas, ctx,
                               cfg.run_dir / "attacks" / arm / "persona", run_cfg)
            log(f"persona attack {arm}: done")
            if ui:
                ui.update("attacks", advance=1)
    if cfg.attacks.finetune:
        from beneficial_rl.models.loading import local_path

        f = cfg.attacks.finetune
        infos = [get_eval(e) for e in f.evals]
        run_cfg = eval_run_config(cfg, f.limit or cfg.eval.limit)
        for arm in arms:
            if ui:
                ui.update("attacks", f"harmful fine-tuning on {arm}")
            path = local_path(model_for(cfg, arm)) if arm == PRE_RL else model_for(cfg, arm)
            run_finetune_attack(path, infos, f.attack, ctx, cfg.run_dir / "attacks" / arm / "finetune", run_cfg)
            log(f"fine-tuning attack {arm}: done")
            if ui:
                ui.update("attacks", advance=1)
    if ui:
        ui.finish("attacks", f"{jobs} attack run(s) done")


def stage_report(cfg: ExperimentConfig, log: Log, ui: StageDisplay | None = None) -> dict[str, Any]:
    from beneficial_rl.analysis.collect import collect
    from beneficial_rl.analysis.report import render

    if ui:
        ui.start("report", 1, "collecting results")
    results = collect(cfg)
    paths = render(results, cfg.run_dir / "report")
    log(f"report: {paths['html']}")
    if ui:
        ui.finish("report", "written")
    return results


STAGES: list[tuple[str, Callable[..., Any]]] = [
    ("train", stage_train), ("evaluate", stage_eval), ("attacks", stage_attacks), ("report", stage_report)]


def run(cfg: ExperimentConfig, log: Log = print, ui: StageDisplay | None = None, quiet: bool = False) -> dict[str, Any]:
    """Run every stage in order; each skips what is already done.

    `ui` shows one line per stage; `quiet` sends library output (TRL's per-step dicts, weight-loading
    bars, warnings) and `log` lines to `runs/<name>/logs/run.log` instead of the terminal."""
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    plan(cfg)  # validates arms and evals before any compute is spent
    save_config(cfg)
    results: dict[str, Any] = {}
    log_path = cfg.run_dir / "logs" / "run.log"
    for name, fn in STAGES:
        if name == "attacks" and not (cfg.attacks.persona or cfg.attacks.finetune):
            if ui:
                ui.finish("attacks", "none configured")
            else:
                log("attacks: none configured")
            continue
        if quiet:
            with library_output_to(log_path) as f:
                out = fn(cfg, lambda m, f=f: print(f"{now()} {m}", file=f), ui)
        else:
            out = fn(cfg, log, ui)
        if name == "report":
            results = out
    done = cfg.run_dir / "DONE"
    if not done.exists():
        atomic_write_text(done, json.dumps({"finished": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
    return results
