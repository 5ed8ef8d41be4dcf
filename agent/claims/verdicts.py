"""From judgments to a verdict, and from a verdict to the standing a reader sees.

Aggregation rule. Each passage's stance is its most probable label. If some passages are SUPPORTED or
REFUTED, the verdict is the label of the single most confident such passage; its confidence is that
probability, discounted by the strongest opposing passage (p_win x (1 - p_oppose)), so a contested claim
never looks certain. If every passage is NOT_ENOUGH_INFO, the verdict is NOT_ENOUGH_INFO with the mean
NOT_ENOUGH_INFO probability as confidence. Label probabilities are calibrated before this
(`calibration.py`) when a map is shipped for the provider and model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np

from agent.records import Evidence

Standing = Literal["strong", "contested", "open"]
STRONG_CONFIDENCE = 0.7


def aggregate_judgments(judged: list[Evidence]) -> tuple[str, float]:
    decisive = [e for e in judged if e.stance != "NOT_ENOUGH_INFO"]
    if not decisive:
        if not judged:
            return "NOT_ENOUGH_INFO", 0.0
        return "NOT_ENOUGH_INFO", float(np.mean([e.probabilities["NOT_ENOUGH_INFO"] for e in judged]))
    winner = max(decisive, key=lambda e: (e.probabilities[e.stance], e.is_source))
    opposite = "REFUTED" if winner.stance == "SUPPORTED" else "SUPPORTED"
    opposing = max((e.probabilities[opposite] for e in decisive if e.stance == opposite), default=0.0)
    return winner.stance, winner.probabilities[winner.stance] * (1.0 - opposing)


def claim_standing(verdict: str, confidence: float, stances: Iterable[str]) -> Standing:
    """strong: supported with confidence >= 0.7; contested: refuted, or evidence both for and against; open."""
    stances = set(stances)
    if verdict == "REFUTED" or {"SUPPORTED", "REFUTED"} <= stances:
        return "contested"
    if verdict == "SUPPORTED" and confidence >= STRONG_CONFIDENCE:
        return "strong"
    return "open"
