"""Test doubles that are real programs: a fake OpenAI-compatible server for judges and benchmarks."""
