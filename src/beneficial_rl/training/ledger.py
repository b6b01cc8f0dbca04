"""The compute ledger: what an arm actually cost, counted from what the trainer did.

Counts come from the completions the trainer generated and scored (the reward router sees every
one, with its token ids) and from the grader's answers; nothing is derived from the config except
the budget, which is labelled as such. FLOPs are the usual dense-transformer estimates:

    training   = 6 * N * trained tokens * num_iterations   (forward + backward over prompt+completion)
    scoring    = 2 * N * trained tokens * extra passes      (reference model if beta > 0; old log-probs
                                                             when generation and optimisation are misaligned)
    generation = 2 * N * (prompt + generated tokens)        (prefill + decode at real lengths)

with N the policy's parameter count and attention's sequence-squared term ignored (small next to
N for these lengths). Trained tokens are the padded tensors the trainer builds: each process's
generation batch is padded to its longest prompt plus its longest completion.

Policy compute, the quantity arms must match, is reported three ways and compared on the one the
config names (default 'budget'):

    budget   = completions * (max_prompt_length + max_completion_length)  -- what the arm was allowed;
               equal across arms with equal steps and batch shapes, whatever the content
    padded   = the padded tokens above                                    -- what the hardware processed
    realized = prompt + completion tokens                                 -- what the text contained

Generated length depends on content (trait conversations are longer prompts and invite longer
answers), so realized tokens differ between arms by design; the ledger reports that difference
next to the matched one instead of hiding it.

The ledger describes the run that produced the final model: after a crash, the steps redone since
the last checkpoint are counted once (totals are restored from the checkpoint), and wall seconds
are those of the kept work. Compute lost to crashes is not part of an arm's cost.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMULAS = {
    "training_flops": "6 * N * padded_tokens * num_iterations",
    "scoring_flops": "2 * N * padded_tokens * (reference_pass + old_logprob_pass)",
    "generation_flops": "2 * N * (prompt_tokens + generated_tokens)",
    "policy_flops(T)": "N * T * (6 * num_iterations + 2 * (reference_pass + old_logprob_pass) + 2), "
                       "T = budget, padded or realized tokens",
    "budget_tokens": "completions * (max_prompt_length + max_completion_length)",
}


def _bucket() -> dict[str, float]:
    return {"prompts": 0, "completions": 0, "reward_sum": 0.0, "rewarded": 0, "unscored": 0,
            "groups": 0, "zero_std_groups": 0}


@dataclass
class RunStats:
    """Running totals of one arm; saved inside each checkpoint so a resumed run continues them."""

    steps: int = 0
    generation_rounds: int = 0
    prompts: int = 0
    completions: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    padded_tokens: int = 0
    judge_calls: int = 0
    judge_unscored: int = 0
    judge_failures: int = 0
    judge_malformed_retries: int = 0  # sum of GradeResult.failures (malformed verdicts after retries)
    judge_model_calls: int | None = None
    judge_input_tokens: int | None = None
    judge_output_tokens: int | None = None
    judge_flags: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, dict[str, float]] = field(default_factory=dict)
    by_task: dict[str, dict[str, float]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    trl_num_tokens: int = 0
    dead_groups: int = 0  # groups whose scored rewards were all equal (or none scored): no GRPO gradient
    dead_completions: int = 0
    dropped_groups: int = 0  # dead groups masked out of the loss (dead_groups='drop'); still generated and processed
    dropped_completions: int = 0
    dropped_completion_tokens: int = 0
    trait_dead_streaks: list[dict[str, int]] = field(default_factory=list)  # warned runs of dead trait-slice steps
    last_dead_rows: frozenset[int] = field(default_factory=frozenset)  # the latest round's dead rows (not saved)
    drop_dead: bool = False  # the run's dead_groups='drop' setting (not saved: it comes from the config)
    pending: dict[int, dict[str, Any]] = field(default_factory=dict)  # per-step counters not yet logged

    def record(self, step: int, samples: Sequence[Mapping[str, Any]], padded_tokens: int,
               judge: Mapping[str, Any], drop_dead: bool | None = None) -> dict[str, float]:
        """Add one generation round (all processes' samples); return per-step metrics to log.

        Each sample has row, source, task, reward (None = unscored), prompt_tokens, completion_tokens.
        A group is dead when its scored rewards are all equal or fewer than two were scored: every
        advantage is then zero. `last_dead_rows` holds this round's dead rows; with `drop_dead` they
        are also counted as dropped (the trainer masks them out of the loss); None = `self.drop_dead`."""
        drop_dead = self.drop_dead if drop_dead is None else drop_dead
        groups: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
        for s in samples:
            groups[s["row"]].append(s)
        step_src: dict[str, dict[str, float]] = defaultdict(_bucket)
        dead_rows: set[int] = set()
        dead_by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row, members in groups.items():
            first = members[0]
            rewards = [m["reward"] for m in members if m["reward"] is not None]
            dead = len(rewards) < 2 or max(rewards) - min(rewards) < 1e-9
            dead_by_source[first["source"]][1] += 1
            if dead:
                dead_rows.add(row)
                dead_by_source[first["source"]][0] += 1
                self.dead_groups += 1
                self.dead_completions += len(members)
                if drop_dead:
                    self.dropped_groups += 1
                    self.dropped_completions += len(members)
                    self.dropped_completion_tokens += sum(m["completion_tokens"] for m in members)
            for table, key in ((self.by_source, first["source"]), (self.by_task, first["task"]), (step_src, first["source"])):
                b = table.setdefault(key, _bucket())
                b["prompts"] += 1
                b["completions"] += len(members)
                b["reward_sum"] += sum(rewards)
                b["rewarded"] += len(rewards)
                b["unscored"] += len(members) - len(rewards)
                if len(rewards) >= 2:
                    b["groups"] += 1
                    b["zero_std_groups"] += int(max(rewards) - min(rewards) < 1e-9)
        n_prompt = sum(m["prompt_tokens"] for members in groups.values() for m in members)
        n_completion = sum(s["completion_tokens"] for s in samples)
        self.generation_rounds += 1
        self.prompts += len(groups)
        self.completions += len(samples)
        self.prompt_tokens += n_prompt
        self.completion_tokens += n_completion
        self.padded_tokens += padded_tokens
        self.judge_calls += judge.get("calls", 0)
        self.judge_unscored += judge.get("unscored", 0)
        self.judge_failures += judge.get("failures", 0)
        self.judge_malformed_retries += judge.get("malformed", 0)
        for k in ("model_calls", "input_tokens", "output_tokens"):
            if judge.get(k) is not None:
                attr = f"judge_{k}"
                setattr(self, attr, (getattr(self, attr) or 0) + judge[k])
        for flag, n in judge.get("flags", {}).items():
            self.judge_flags[flag] = self.judge_flags.get(flag, 0) + n

        slice_prompts = sum(b["prompts"] for s, b in step_src.items() if s in ("trait", "control"))
        self.pending[step] = {
            "prompts": len(groups), "completions": len(samples), "prompt_tokens": n_prompt,
            "completion_tokens": n_completion, "padded_tokens": padded_tokens,
            "judge_calls": judge.get("calls", 0), "judge_unscored": judge.get("unscored", 0),
            "judge_failures": judge.get("failures", 0),
            "prompts_by_source": {s: int(b["prompts"]) for s, b in step_src.items()},
            "dead_groups_by_source": {s: {"dead": d, "groups": g} for s, (d, g) in dead_by_source.items()},
            "dead_groups_dropped": len(dead_rows) if drop_dead else 0,
        }
        self.last_dead_rows = frozenset(dead_rows)
        metrics = {"brl/trait_slice_frac": slice_prompts / len(groups), "brl/judge_failures": judge.get("failures", 0),
                   "brl/judge_unscored": judge.get("unscored", 0)}
        for s, b in step_src.items():
            if b["rewarded"]:
                metrics[f"brl/{s}/reward_mean"] = b["reward_sum"] / b["rewarded"]
            if b["groups"]:
                metrics[f"brl/{s}/zero_std_frac"] = b["zero_std_groups"] / b["groups"]
        return metrics

    def pop_step(self, step: int) -> dict[str, Any]:
        return self.pending.pop(step, {})

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("pending")
        d.pop("last_dead_rows")
        d.pop("drop_dead")
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RunStats:
        known = {k: v for k, v in d.items()
                 if k in cls.__dataclass_fields__ and k not in ("pending", "last_dead_rows", "drop_dead")}
        return cls(**known)

    @classmethod
    def load(cls, path: str | Path) -> RunStats:
        return cls.from_dict(json.loads(Path(path).read_text()))


def _summaries(table: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, Any]]:
    out = {}
    for key, b in table.items():
        out[key] = {
            "prompts": int(b["prompts"]), "completions": int(b["completions"]),
            "reward_mean": b["reward_sum"] / b["rewarded"] if b["rewarded"] else None,
            "unscored": int(b["unscored"]),
            "zero_std_group_frac": b["zero_std_groups"] / b["groups"] if b["groups"] else None,
        }
    return out


def _repetition(mixture: Mapping[str, Any]) -> dict[str, Any]:
    """Epochs per trait scenario (trait rows / eligible scenarios), overall and per domain, from the
    mixture summary: an arm that repeats a few scenarios many times is not comparable, on repetition,
    with one that sees many scenarios once."""
    rows = mixture.get("trait_slice_rows")
    eligible = mixture.get("trait_scenarios_eligible")
    out: dict[str, Any] = {
        "scenarios_eligible": eligible, "scenarios_used": mixture.get("trait_scenarios_used"),
        "epochs_per_scenario": round(rows / eligible, 3) if rows is not None and eligible else None,
    }
    by_domain, elig_domain = mixture.get("by_domain") or {}, mixture.get("eligible_by_domain") or {}
    if elig_domain:
        out["by_domain"] = {d: {"rows": int(by_domain.get(d, 0)), "scenarios": int(n),
                                "epochs": round(by_domain.get(d, 0) / n, 3)} for d, n in sorted(elig_domain.items())}
    return out


def _dead_groups(stats: RunStats, shape: Mapping[str, Any]) -> dict[str, Any]:
    groups = sum(int(b["groups"]) for b in stats.by_source.values())
    return {
        "mode": shape.get("dead_groups", "keep"),
        "dead_groups": stats.dead_groups,
        "dead_completions": stats.dead_completions,
        "dead_group_frac": round(stats.dead_groups / stats.prompts, 4) if stats.prompts else None,
        "scored_groups": groups,
        "dropped_groups": stats.dropped_groups,
        "dropped_completions": stats.dropped_completions,
        "dropped_completion_tokens": stats.dropped_completion_tokens,
        "dropped_share_of_completions": (round(stats.dropped_completions / stats.completions, 4)
                                         if stats.completions else None),
        "zero_std_group_frac_by_source": {s: (round(b["zero_std_groups"] / b["groups"], 4) if b["groups"] else None)
                                          for s, b in sorted(stats.by_source.items())},
        "trait_slice_dead_streaks": stats.trait_dead_streaks,
        "accounting": "dropped completions were generated, scored and run through forward/backward like every "
                      "other; all token and FLOP figures above include them. Dropping only zeroes their loss "
                      "weight; no prompts were added to refill the batch.",
    }


def build_ledger(stats: RunStats, *, arm: str, model: str, n_params: int, n_trainable: int,
                 shape: Mapping[str, Any], grader: Mapping[str, Any], mixture: Mapping[str, Any],
                 metric: str) -> dict[str, Any]:
    """The ledger.json of one arm."""
    iters = shape.get("num_iterations", 1)
    extra = int(bool(shape.get("reference_pass"))) + int(bool(shape.get("old_logprob_pass")))
    budget = stats.completions * (shape["max_prompt_length"] + shape["max_completion_length"])
    realized = stats.prompt_tokens + stats.completion_tokens
    per_token = n_params * (6 * iters + 2 * extra + 2)
    slice_prompts = sum(int(b["prompts"]) for s, b in stats.by_source.items() if s in ("trait", "control"))
    return {
        "arm": arm,
        "model": model,
        "parameters": n_params,
        "trainable_parameters": n_trainable,
        "steps": stats.steps,
        "generation_rounds": stats.generation_rounds,
        "prompts": stats.prompts,
        "completions": stats.completions,
        "tokens": {
            "prompt": stats.prompt_tokens,
            "generated": stats.completion_tokens,
            "realized": realized,
            "padded": stats.padded_tokens,
            "budget": budget,
            "trained": stats.padded_tokens * iters,
            "trl_num_input_tokens_seen": stats.trl_num_tokens,
        },
        "flops": {
            "training": 6 * n_params * stats.padded_tokens * iters,
            "scoring": 2 * n_params * stats.padded_tokens * extra,
            "generation": 2 * n_params * realized,
            "total": n_params * (stats.padded_tokens * (6 * iters + 2 * extra) + 2 * realized),
        },
        "policy_compute": {
            "metric": metric,
            "value": {"budget": budget, "padded": stats.padded_tokens, "realized": realized}[metric] * per_token,
            "budget_flops": budget * per_token,
            "padded_flops": stats.padded_tokens * per_token,
            "realized_flops": realized * per_token,
        },
        "formulas": {**FORMULAS, "N": "all parameters of the policy (LoRA included; its backward still runs "
                                      "through the frozen weights)"},
        "judge": {
            "grader": grader.get("name"), "approximate": grader.get("approximate"),
            "calls": stats.judge_calls, "model_calls": stats.judge_model_calls,
            "unscored": stats.judge_unscored, "failures": stats.judge_failures,
            "malformed": stats.judge_malformed_retries,
            "input_tokens": stats.judge_input_tokens, "output_tokens": stats.judge_output_tokens,
            "flags": stats.judge_flags,
        },
        "trait_slice": {
            "requested": mixture.get("trait_fraction_requested"),
            "planned": mixture.get("trait_slice_fraction"),
            "realized": slice_prompts / stats.prompts if stats.prompts else None,
            "prompts": slice_prompts,
            "repetition": _repetition(mixture),
        },
        "dead_groups": _dead_groups(stats, shape),
        "by_source": _summaries(stats.by_source),
        "by_task": _summaries(stats.by_task),
        "wall_seconds": round(stats.wall_seconds, 3),
        "shape": dict(shape),
    }


@dataclass
class ComputeMatch:
    """Whether arms are compute-matched, by how much they differ, and on which metric."""

    matched: bool
    metric: str
    tolerance: float
    values: dict[str, float]
    rel_diff: float
    rel_diff_by_metric: dict[str, float]
    shape_differences: dict[str, dict[str, Any]]
    message: str

    @property
    def label(self) -> str:
        """'compute-matched' only when it is true; never for an unmatched pair."""
        return "compute-matched" if self.matched else "not compute-matched"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


def _rel(values: Sequence[float]) -> float:
    hi, lo = max(values), min(values)
    return 0.0 if hi == 0 else (hi - lo) / hi


def check_compute_match(ledgers: Mapping[str, Mapping[str, Any]], tolerance: float = 0.02,
                        metric: str | None = None) -> ComputeMatch:
    """Compare arms' policy compute: matched when (max - min) / max <= tolerance on `metric`
    (default: the metric the ledgers were built with). Shape differences (steps, batch, lengths)
    are listed because they are the usual reason for a mismatch."""
    if len(ledgers) < 2:
        raise ValueError("compute matching needs at least two ledgers")
    metric = metric or next(iter(ledgers.values()))["policy_compute"]["metric"]
    values = {arm: float(L["policy_compute"][f"{metric}_flops"]) for arm, L in ledgers.items()}
    rel_by = {m: _rel([float(L["policy_compute"][f"{m}_flops"]) for L in ledgers.values()])
              for m in ("budget", "padded", "realized")}
    shape_diff: dict[str, dict[str, Any]] = {}
    keys = set().union(*(L.get("shape", {}).keys() for L in ledgers.values())) | {"steps"}
    for k in sorted(keys):
        seen = {arm: (L.get(k) if k == "steps" else L.get("shape", {}).get(k)) for arm, L in ledgers.items()}
        if len({json.dumps(v, sort_keys=True) for v in seen.values()}) > 1:
            shape_diff[k] = seen
    rel = rel_by[metric]
    matched = rel <= tolerance
    arms = ", ".join(ledgers)
    side_by_side = (f"budget differs by {rel_by['budget']:.2%}, processed (padded) tokens by {rel_by['padded']:.2%}, "
                    f"realized tokens by {rel_by['realized']:.2%}")
    if matched:
        message = (f"{arms}: compute-matched on {metric} policy compute (differ by {rel:.2%} <= {tolerance:.2%}); "
                   f"{side_by_side}")
    else:
        message = (f"{arms}: NOT compute-matched: {metric} policy compute differs by {rel:.2%} "
                   f"(tolerance {tolerance:.2%}); {side_by_side}"
                   + (f"; differing settings: {sorted(shape_diff)}" if shape_diff else ""))
    return ComputeMatch(matched, metric, tolerance, values, rel, rel_by, shape_diff, message)


def compare_arm_dirs(arm_dirs: Sequence[str | Path], tolerance: float = 0.02, metric: str | None = None) -> ComputeMatch:
    """check_compute_match over `<dir>/ledger.json` files, keyed by folder name."""
    ledgers = {}
    for d in arm_dirs:
        path = Path(d) / "ledger.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist (has the arm finished training?)")
        ledgers[Path(d).name] = json.loads(path.read_text())
    return check_compute_match(ledgers, tolerance, metric)
