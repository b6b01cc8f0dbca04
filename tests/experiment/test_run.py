"""`brl run` end to end on the tiny model: every stage, the report, resume without redoing work."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from typer.testing import CliRunner

from beneficial_rl.cli import app

EVALS = ["gsm8k", "rho_overrefusal", "held_out_truthfulness"]


def write_config(tmp_path, tiny_model_path, name="t", **extra):
    cfg = {
        "name": name,
        "runs_dir": str(tmp_path / "runs"),
        "arms": ["beneficial", "compute_matched_baseline"],
        "train": {"model": tiny_model_path, "reward_judge": "offline", "steps": 2, "num_generations": 2,
                  "per_device_train_batch_size": 4, "max_prompt_length": 256, "max_completion_length": 8,
                  "learning_rate": 1e-4, "save_every": 1, "sample_every": 1, "trait_fraction": 0.5},
        "eval": {"evals": EVALS, "limit": 2, "batch_size": 2, "max_tokens": 8},
        **extra,
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_run_end_to_end_then_rerun_is_a_no_op(tmp_path, tiny_model_path):
    path = write_config(tmp_path, tiny_model_path)
    # a real process, so the terminal is what a person sees: stage lines only, library output in the log
    proc = subprocess.run([sys.executable, "-m", "beneficial_rl.cli", "run", str(path)], capture_output=True,
                          text=True, timeout=900, env={**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "120"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) < 60, proc.stdout
    assert "warn" not in proc.stderr.lower() and "warn" not in proc.stdout.lower(), proc.stderr[-3000:]
    assert "{'loss'" not in proc.stdout and "'reward'" not in proc.stdout  # TRL's step dicts went to the log
    assert lines[-2].startswith("report: ") and "out-of-distribution evaluations" in lines[-1]
    run = tmp_path / "runs" / "t"
    assert (run / "logs" / "run.log").stat().st_size > 0
    for arm in ["beneficial", "compute_matched_baseline"]:
        assert (run / "arms" / arm / "ledger.json").is_file()
        assert {p.stem for p in (run / "evals" / arm).glob("*.jsonl")} == set(EVALS)
    results = json.loads((run / "report" / "results.json").read_text())
    comp = results["comparisons"]["beneficial_vs_compute_matched_baseline"]
    assert comp["sentence"].startswith("improved on ") and "out-of-distribution evaluations" in comp["sentence"]
    # each role in its own family: only the ood eval counts in the headline
    assert [r["eval"] for r in comp["results"]] == ["rho_overrefusal"]
    assert results["headline"]["eval_ids"] == ["rho_overrefusal"] and results["headline"]["family"] == "ood"
    assert [r["eval"] for r in results["capability"]["results"]] == ["gsm8k"]
    assert [r["eval"] for r in results["held_out_traits"]["results"]] == ["held_out_truthfulness"]
    assert results["refusal_controlled"]["applicable"] == []  # over-refusal is scored by the refusal decision
    assert results["refusal_controlled"]["not_applicable"] == ["rho_overrefusal"]
    for e in EVALS:
        rec = results["evals"][e]["per_arm"]["beneficial"]
        assert rec["status"] == "success" and rec["n_errors"] == 0 and "grader" in rec and "approximate" in rec
    assert results["evals"]["held_out_truthfulness"]["approximate"] is True  # offline grader, read from the record
    assert results["evals"]["gsm8k"]["approximate"] is False
    assert results["judge"]["approximate"] is True
    cm = results["compute_match"][0]
    assert cm["pair"] == "beneficial vs compute_matched_baseline" and cm["metric"] == "padded"
    assert set(cm["rel_diff_by_metric"]) == {"budget", "padded", "realized"}
    html = (run / "report" / "index.html").read_text()
    assert "approximate offline grader" in html and "data:image/png;base64," in html
    assert (run / "report" / "report.md").is_file()
    saved = yaml.safe_load((run / "config.yaml").read_text())
    assert saved["experiment"]["name"] == "t" and "versions" in saved

    stamps = {p: p.stat().st_mtime for p in run.rglob("*") if p.is_file() and not {"report", "logs"} & set(p.parts)}
    res = CliRunner().invoke(app, ["run", str(path)])
    assert res.exit_code == 0, res.output
    changed = [p for p, m in stamps.items() if p.exists() and p.stat().st_mtime != m]
    assert changed == [], f"a rerun rewrote finished work: {changed[:5]}"


def test_changed_config_under_same_name_is_refused(tmp_path, tiny_model_path):
    path = write_config(tmp_path, tiny_model_path, name="c")
    from beneficial_rl.experiment.config import load_experiment
    from beneficial_rl.experiment.run import save_config

    cfg = load_experiment(path)
    cfg.run_dir.mkdir(parents=True)
    save_config(cfg)
    cfg.train.steps = 3
    res = CliRunner().invoke(app, ["run", str(path)])
    assert res.exit_code == 0 or "different config" not in res.output
    from beneficial_rl.errors import BrlError

    with pytest.raises(BrlError, match="different config"):
        save_config(cfg)


def test_dry_run_prints_plan_without_training(tmp_path, tiny_model_path):
    path = write_config(tmp_path, tiny_model_path, name="d")
    res = CliRunner().invoke(app, ["run", str(path), "--dry-run"])
    assert res.exit_code == 0, res.output
    plan = json.loads(res.output)
    assert plan["arms"]["beneficial"]["completions"] == 8 and sorted(plan["evals"]) == sorted(EVALS)
    assert not (tmp_path / "runs" / "d").exists()


def test_bad_config_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ntrain: {steps: -1}\n")
    res = CliRunner().invoke(app, ["run", str(path)])
    assert res.exit_code == 1 and "bad.yaml" in res.output and "train.steps" in res.output


@pytest.mark.slow
def test_killed_mid_eval_resumes_without_redoing_training(tmp_path, tiny_model_path):
    path = write_config(tmp_path, tiny_model_path, name="k")
    run = tmp_path / "runs" / "k"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "beneficial_rl.cli", "run", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 600
    first = run / "evals" / "beneficial"
    while time.time() < deadline and not list(first.glob("*.summary.json")):  # an eval has finished
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(first.glob("*.summary.json")), "the run never reached the eval stage"
    done = {a: (run / "arms" / a / "done.json").stat().st_mtime for a in ["beneficial", "compute_matched_baseline"]}
    finished = {p: p.stat().st_mtime for p in first.glob("*.summary.json")}
    finished |= {first / f"{p.name.removesuffix('.summary.json')}.jsonl": 0.0 for p in finished}
    finished = {p: p.stat().st_mtime for p in finished}
    res = CliRunner().invoke(app, ["run", str(path)])
    assert res.exit_code == 0, res.output
    assert {a: (run / "arms" / a / "done.json").stat().st_mtime for a in done} == done
    assert all(p.stat().st_mtime == m for p, m in finished.items())
    for p in run.rglob("*.jsonl"):
        for line in p.read_text().splitlines():
            json.loads(line)  # no torn or half-written files
    assert (run / "report" / "index.html").is_file()
