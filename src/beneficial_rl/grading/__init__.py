"""Rubric grading: one pure scorer shared by reward and metric, LLM judges, an offline grader.

Heavy parts (Inspect, transformers, scikit-learn) load lazily, so importing this package is cheap.
"""

from beneficial_rl.grading.base import Grader, GradeRequest, GradeResult, ItemVerdict, score
from beneficial_rl.grading.config import JudgeConfig, OfflineConfig, protocol_hash
from beneficial_rl.grading.factory import (
    grade_blocking,
    make_grader,
    make_refusal_classifier,
    make_trait_grader,
    run_sync,
)
from beneficial_rl.grading.judge import JudgeGrader
from beneficial_rl.grading.offline import OfflineGrader
from beneficial_rl.grading.refusal import JudgeRefusalClassifier, OfflineRefusalClassifier, RefusalClassifier

__all__ = [
    "GradeRequest", "GradeResult", "Grader", "ItemVerdict", "JudgeConfig", "JudgeGrader", "JudgeRefusalClassifier",
    "OfflineConfig", "OfflineGrader", "OfflineRefusalClassifier", "RefusalClassifier", "grade_blocking",
    "make_grader", "make_refusal_classifier", "make_trait_grader", "protocol_hash", "run_sync", "score",
]
