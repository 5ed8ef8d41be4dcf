"""From judgments to a verdict, and from a verdict to the standing a reader sees.

Two questions are asked of a claim extracted from a paper, and answered apart:
- faithfulness: does the claim's own quote entail it? The probability that it does is the source passage's
  SUPPORTED probability; its own source can fail to entail a claim, never refute it (`own_source_judgment`).
- corroboration: what do other papers say? Only passages about the claim's subject are judged (the relevance
  gate in `agent/graphs/verifier/passages.py`); each supports, contradicts, or is unrelated.

Aggregation rule for the verdict (what the eval suites score). Each judged passage's stance is its most
probable label. If some passages are SUPPORTED or REFUTED, the verdict is the label of the single most
confident such passage; its confidence is that probability, discounted by the strongest opposing passage
(p_win x (1 - p_oppose)), so a contested claim never looks certain. If every passage is NOT_ENOUGH_INFO, the
verdict is NOT_ENOUGH_INFO with the mean NOT_ENOUGH_INFO probability as confidence. Label probabilities are
calibrated before this (`calibration.py`) when a map is shipped for the provider and model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agent.records import Claim, Evidence, Standing, VerifiedClaim

FAITHFUL = 0.5  # P(entailed by its own quote) below which an extracted claim is rewritten to its quote


def own_source_judgment(probabilities: dict[str, float]) -> dict[str, float]:
    """A claim's own source either entails it or does not: its REFUTED mass counts as NOT_ENOUGH_INFO."""
    return {"SUPPORTED": probabilities["SUPPORTED"], "REFUTED": 0.0,
            "NOT_ENOUGH_INFO": probabilities["NOT_ENOUGH_INFO"] + probabilities["REFUTED"]}


def faithfulness(claim: Claim, judged: Sequence[Evidence]) -> float | None:
    """P(the claim's own quote entails it): the best source passage's SUPPORTED probability (None: no quote)."""
    if not claim.quote:
        return None
    own = [e.probabilities.get("SUPPORTED", 0.0) for e in judged if e.is_source]
    return round(max(own), 4) if own else None


def aggregate_judgments(judged: list[Evidence]) -> tuple[str, float]:
    judged = [e for e in judged if e.same_subject or e.is_source]
    decisive = [e for e in judged if e.stance != "NOT_ENOUGH_INFO"]
    if not decisive:
        if not judged:
            return "NOT_ENOUGH_INFO", 0.0
        return "NOT_ENOUGH_INFO", float(np.mean([e.probabilities["NOT_ENOUGH_INFO"] for e in judged]))
    winner = max(decisive, key=lambda e: (e.probabilities[e.stance], e.is_source))
    opposite = "REFUTED" if winner.stance == "SUPPORTED" else "SUPPORTED"
    opposing = max((e.probabilities[opposite] for e in decisive if e.stance == opposite), default=0.0)
    return winner.stance, winner.probabilities[winner.stance] * (1.0 - opposing)


def claim_standing(claim: VerifiedClaim) -> Standing:
    """corroborated: another paper states or supports it; contested: another paper about the same subject
    contradicts it (for a claim with no source quote, e.g. a user's, any passage); single-source: the rest."""
    others = [e for e in claim.evidence if not e.is_source and e.same_subject and e.paper_id != claim.paper_id]
    challengers = others if claim.quote else [e for e in claim.evidence if e.same_subject or e.is_source]
    if any(e.stance == "REFUTED" for e in challengers):
        return "contested"
    if claim.also_in or any(e.stance == "SUPPORTED" for e in others):
        return "corroborated"
    return "single-source"
