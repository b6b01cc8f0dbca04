"""Atomic, append-safe file helpers.

Every file a run produces goes through these, so a killed process leaves either the old file or
the new one, never half of one; that is what makes every stage resumable.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from beneficial_rl.errors import DataError


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` through a temp file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def atomic_write_jsonl(path: str | Path, rows: Iterable[Any]) -> Path:
    lines = [json.dumps(r, ensure_ascii=False, default=str) for r in rows]
    return atomic_write_text(path, "".join(line + "\n" for line in lines))


def append_jsonl(path: str | Path, row: Any) -> None:
    """Append one row as a single write, so a crash can at worst leave a torn final line,
    which `iter_jsonl(..., tolerate_torn_tail=True)` skips on resume."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        f.flush()


def iter_jsonl(path: str | Path, tolerate_torn_tail: bool = False) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed object); bad JSON raises a DataError naming file and line."""
    path = Path(path)
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield i, json.loads(line)
        except json.JSONDecodeError as e:
            if tolerate_torn_tail and i == len(lines) and not line.endswith("\n"):
                return
            raise DataError(str(path), i, None, f"invalid JSON ({e.msg} at column {e.colno})") from None


def read_jsonl(path: str | Path, tolerate_torn_tail: bool = False) -> list[Any]:
    return [row for _, row in iter_jsonl(path, tolerate_torn_tail)]


def sha256_file(path: str | Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
