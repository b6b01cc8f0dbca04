"""Trait scenarios: schema, the shipped library, a generator, validation, splits, contamination."""
