"""beneficial-rl: RL that reinforces beneficial traits, measured against a compute-matched baseline."""

__version__ = "0.1.0"
