"""How much of a fine-tuned checkpoint's update survives rounding its weights to bf16.

Evaluating in bf16 is faster on CPUs with AMX, but an RL update of a few small steps can be smaller
than bf16's spacing: then the arms are compared on rounding noise, not on what training changed.
Prints, over every weight the two checkpoints share: the fraction training changed, the fraction
still different after both are rounded to bf16, and the relative error of the rounded update
(||rounded delta - delta|| / ||delta||; 0 is lossless, >= 1 means the rounded update is mostly noise).

    .venv/bin/python benchmarks/bench_bf16_delta.py --trained runs/quickstart/arms/beneficial/final
"""

from __future__ import annotations

import argparse
from pathlib import Path


def load_weights(folder: str) -> dict:
    from safetensors.torch import load_file

    out = {}
    for f in sorted(Path(folder).glob("*.safetensors")):
        out.update(load_file(f))
    if not out:
        raise SystemExit(f"no *.safetensors in {folder}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="embedded:smollm2-135m-instruct", help="Model spec of the starting weights.")
    ap.add_argument("--trained", required=True, help="Folder of the fine-tuned checkpoint.")
    args = ap.parse_args()
    from beneficial_rl.models.loading import local_path

    base, trained = load_weights(local_path(args.base)), load_weights(args.trained)
    n = changed = changed_bf16 = 0
    err = size = 0.0
    for name, w in trained.items():
        b = base.get(name)
        if b is None or b.shape != w.shape:
            continue
        w, b = w.double(), b.double()
        delta = w - b
        rounded = w.bfloat16().double() - b.bfloat16().double()
        n += w.numel()
        changed += int((delta != 0).sum())
        changed_bf16 += int((rounded != 0).sum())
        err += float(((rounded - delta) ** 2).sum())
        size += float((delta ** 2).sum())
    if not n:
        raise SystemExit("no weights in common (different architectures?)")
    print(f"{n:,} shared weights; changed by training: {changed / n:.3f}; still different after bf16 rounding: "
          f"{changed_bf16 / n:.3f}; relative error of the rounded update: "
          f"{(err / size) ** 0.5 if size else float('nan'):.2f}")


if __name__ == "__main__":
    main()
