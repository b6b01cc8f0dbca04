"""Rubric grading: one pure scorer shared by reward and metric, LLM judges, an offline grader."""

from beneficial_rl.grading.base import Grader, GradeRequest, GradeResult, ItemVerdict, score

__all__ = ["GradeRequest", "GradeResult", "Grader", "ItemVerdict", "score"]
