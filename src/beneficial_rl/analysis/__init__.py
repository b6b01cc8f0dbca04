"""Paired statistics across arms and the report built from them."""
