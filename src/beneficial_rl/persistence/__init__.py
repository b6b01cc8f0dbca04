"""Persistence under pressure: persona prompts (an eval transformation) and harmful fine-tuning."""
