"""The trained claim–passage judge (a MiniLM cross-encoder) and the evidence window it reads."""

from tools.judge.cross_encoder import LABELS, CrossEncoderJudge, JudgeWeightsError, load_judge
from tools.judge.window import evidence_window

__all__ = ["LABELS", "CrossEncoderJudge", "JudgeWeightsError", "evidence_window", "load_judge"]
