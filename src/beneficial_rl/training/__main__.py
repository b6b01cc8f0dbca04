"""`python -m beneficial_rl.training --config X.yaml --arm NAME`: the same as `brl train`, in a form
`accelerate launch -m` can start on every process."""

import sys

from beneficial_rl.cli import app

if __name__ == "__main__":
    app(["train", *sys.argv[1:]])
