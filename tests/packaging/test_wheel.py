"""The built wheel, installed on its own, finds everything it ships: evals, scenarios, attack data,
templates. An editable install hides a missing package-data glob; this does not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("build", reason="python -m build is a dev extra")


@pytest.mark.slow
def test_wheel_installs_and_runs_from_package_data(tmp_path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    (wheel,) = dist.glob("beneficial_rl-*.whl")
    fresh = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(fresh)], check=True, timeout=300)
    py = fresh / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # Dependencies come from the test's own environment (a .pth line adds that folder, but not its
    # .pth files, so the editable install of the source tree stays invisible); the package itself
    # comes only from the wheel.
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True, text=True, timeout=300)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
    probe = (
        "import json, beneficial_rl, pathlib\n"
        "from beneficial_rl.scenarios.io import load_library\n"
        "from beneficial_rl.persistence.finetune import attack_examples\n"
        "from beneficial_rl.analysis.report import markdown\n"
        "print(json.dumps({'file': beneficial_rl.__file__, 'train': len(load_library('train')),\n"
        "                  'eval': len(load_library('eval')), 'attack': len(attack_examples()),\n"
        "                  'report': len(markdown({'name': 'x'}))}))\n"
    )
    out = json.loads(subprocess.run([str(py), "-c", probe], check=True, capture_output=True, text=True, env=env,
                                    cwd=tmp_path, timeout=300).stdout)
    assert str(ROOT / "src") not in out["file"] and "site-packages" in out["file"]
    assert out["train"] >= 360 and out["eval"] >= 210 and out["attack"] > 100 and out["report"] > 0
    listed = subprocess.run([str(fresh / "bin" / "brl"), "evals", "list", "--json"], check=True, capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=600)
    rows = json.loads(listed.stdout)
    assert len(rows) >= 53
    offline = [r for r in rows if r.get("offline")]
    assert offline and all(r["items"] for r in offline), [r["id"] for r in offline if not r["items"]]
