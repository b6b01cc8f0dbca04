"""Rubric grading: one pure scorer shared by reward and metric, LLM judges, an offline grader."""

from beneficial_rl.grading.base import GradeRequest, GradeResult, Grader, ItemVerdict, score

__all__ = ["GradeRequest", "GradeResult", "Grader", "ItemVerdict", "score"]
