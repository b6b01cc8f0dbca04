"""Import every eval module once, which registers it. Add new eval files here."""

from beneficial_rl.evals.held_out import traits as _held_out  # noqa: F401
