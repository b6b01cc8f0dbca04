"""Datasets that live only on the Hugging Face hub (or a publisher's site): real loaders that read
a local copy when one is configured, and the hub otherwise.

A local copy is named by an environment variable (`BRL_DATA_<NAME>`, e.g. BRL_DATA_XSTEST) and
may be JSONL, JSON (a list), CSV or Parquet with the dataset's own column names. Without one, the
loader calls `datasets.load_dataset`, which needs the network; offline, the error says which
variable to set. These evals are marked `needs_data` and are not part of the offline suite.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from beneficial_rl.errors import BrlError


def env_var(name: str) -> str:
    return f"BRL_DATA_{name.upper()}"


def load_rows(name: str, hub_id: str | None, config: str | None = None, split: str = "test") -> list[dict]:
    """Rows of a hub-only dataset from its local copy or the hub."""
    var = env_var(name)
    local = os.environ.get(var)
    if local:
        return read_local(Path(local).expanduser())
    if hub_id is None:
        raise BrlError(f"{name} has no hub copy; download it and set {var}=/path/to/file (JSONL/JSON/CSV/Parquet)")
    if os.environ.get("HF_HUB_OFFLINE") == "1" or os.environ.get("HF_DATASETS_OFFLINE") == "1":
        raise BrlError(f"{name} needs {hub_id} from the hub but the hub is offline; set {var} to a local copy")
    from datasets import load_dataset

    try:
        ds = load_dataset(hub_id, config, split=split)
    except Exception as e:  # network, auth (gated sets), renamed configs
        raise BrlError(f"cannot load {hub_id} ({config or 'default'}/{split}): {e}. Set {var} to a local copy.") from None
    return [dict(r) for r in ds]


def read_local(path: Path) -> list[dict]:
    if not path.is_file():
        raise BrlError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        out = []
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise BrlError(f"{path}:{i}: invalid JSON ({e.msg})") from None
        return out
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else data.get("data") or data.get("rows") or []
    if suffix in (".csv", ".parquet"):
        from datasets import Dataset

        ds = Dataset.from_csv(str(path)) if suffix == ".csv" else Dataset.from_parquet(str(path))
        return [dict(r) for r in ds]
    raise BrlError(f"{path}: unsupported format {suffix} (use .jsonl, .json, .csv or .parquet)")


def require(row: dict, fields: list[str], name: str, index: int) -> None:
    missing = [f for f in fields if f not in row]
    if missing:
        raise BrlError(f"{name} row {index}: missing field(s) {', '.join(missing)}; is this the right dataset?")
