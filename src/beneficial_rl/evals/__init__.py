"""Out-of-distribution evaluations as Inspect tasks: one eval per file, grouped by category."""
