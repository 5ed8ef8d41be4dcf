"""The verifier graph's nodes: gather the evidence, judge each passage, aggregate the judgments."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.anchoring import overlap
from agent.claims.roles import statement_role
from agent.claims.verdicts import aggregate_judgments, faithfulness, own_source_judgment
from agent.graphs.tracking import tracked
from agent.graphs.verifier.judges import judge_pair
from agent.graphs.verifier.passages import best_quote, evidence_passages, prepare
from agent.graphs.verifier.state import JudgeTask, VerifyState
from agent.records import VERDICTS, Evidence, VerifiedClaim
from agent.services import Services


@tracked("verify.gather")
def gather(state: VerifyState, services: Services, runtime: Runtime) -> dict:
    """The evidence passages (`passages.evidence_passages`), or, when the caller gave passages (the eval
    suites' oracle mode), those; either way screened and windowed."""
    if state.get("passages"):
        return {"passages": prepare(state["passages"])}
    return {"passages": prepare(evidence_passages(state["claim"], services))}


def unrelated(task: JudgeTask, services: Services) -> Evidence:
    """Another paper's passage the relevance gate kept out: shown, never judged."""
    claim, passage = task["claim"], task["passage"]
    return Evidence(paper_id=passage["paper_id"], quote=best_quote(claim.text, passage["text"], services),
                    stance="NOT_ENOUGH_INFO", is_source=False, same_subject=False,
                    screened_out=passage.get("screened_out", []))


QUOTE_OVERLAP = 0.3  # the other paper's deciding sentence shares this much of the claim's content words


def judgment_kind(own_source: bool, claim) -> str | None:
    """Which calibration applies: a claim against its own quote, an extracted claim against another paper, or
    (None) a claim with no quote of its own, as the SciFact-layout suites and `agent verify` judge it."""
    if own_source:
        return "faithfulness"
    return "corroboration" if claim.quote else None


def can_take_a_stance(stance: str, claim_text: str, quote: str) -> bool:
    """Another paper's sentence supports a claim only when it says something about the claim's subject (not
    background, an aim or a fragment), and contradicts it only when it reports a finding of its own."""
    role = statement_role(quote)
    if role in ("background", "aim", "fragment") or overlap(claim_text, quote) < QUOTE_OVERLAP:
        return False
    return stance != "REFUTED" or role == "finding"


def is_its_own_quote(claim) -> bool:
    """A claim that is its quote made self-contained ("we" → "Conneau et al."): entailed by it, nothing to judge.
    Every content word of the quote is in the claim, and the claim adds at most the authors' name."""
    return bool(claim.quote) and overlap(claim.quote, claim.text) >= 0.95 and overlap(claim.text, claim.quote) >= 0.8


def entailed_by_construction(task: JudgeTask) -> Evidence:
    claim, passage = task["claim"], task["passage"]
    certain = {"SUPPORTED": 1.0, "REFUTED": 0.0, "NOT_ENOUGH_INFO": 0.0}
    return Evidence(paper_id=passage["paper_id"], quote=claim.quote, stance="SUPPORTED", probabilities=certain,
                    raw_probabilities={}, is_source=True, screened_out=passage.get("screened_out", []))


@tracked("verify.judge")
def judge(task: JudgeTask, services: Services, runtime: Runtime) -> dict:
    """One passage's stance on the claim, from the judge's label probabilities (`agent/claims/judging.py`: the
    trained cross-encoder, the LLM's first-token probabilities, or both stacked), calibrated when a map exists.

    Two questions, kept apart: for the passage a claim was extracted from, whether it entails the claim
    (faithfulness: supported or not, never "refuted by its own source"); for another paper's passage about the
    same subject, whether it supports or contradicts it (corroboration). A contradiction needs a passage that
    reports something: a background sentence ("X has become the de facto paradigm") contradicts nothing."""
    claim, passage = task["claim"], task["passage"]
    if not passage["is_source"] and not passage.get("same_subject", True):
        return {"judged": [unrelated(task, services)]}
    if passage["is_source"] and is_its_own_quote(claim) and claim.quote in passage["text"]:
        return {"judged": [entailed_by_construction(task)]}
    judged = judge_pair(claim.text, passage["title"], passage["text"], services)
    own_source = passage["is_source"] and bool(claim.quote)
    kind = judgment_kind(own_source, claim)
    calibration = services.calibration_for(kind)
    raw = judged.combined
    probabilities = calibration.apply(raw) if calibration else raw
    if own_source:
        probabilities = own_source_judgment(probabilities)
    stance = max(VERDICTS, key=lambda label: (probabilities[label], -VERDICTS.index(label)))
    if own_source and claim.quote in passage["text"]:
        quote = claim.quote
    else:
        quote = best_quote(claim.text, passage["text"], services)
    if kind == "corroboration" and stance != "NOT_ENOUGH_INFO" and not can_take_a_stance(stance, claim.text, quote):
        stance = "NOT_ENOUGH_INFO"  # (a claim judged on its own, as the eval suites and `agent verify` do, is not)
    return {"judged": [Evidence(paper_id=passage["paper_id"], quote=quote, stance=stance,
                                probabilities={k: round(v, 4) for k, v in probabilities.items()},
                                raw_probabilities={k: round(v, 6) for k, v in raw.items()},
                                judge_probabilities=judged.rounded(),
                                is_source=passage["is_source"], same_subject=passage.get("same_subject", True),
                                screened_out=passage.get("screened_out", []))]}


@tracked("verify.aggregate")
def aggregate(state: VerifyState, services: Services, runtime: Runtime) -> dict:
    """The verdict and confidence by the rule in `agent/claims/verdicts.py`."""
    judged = sorted(state.get("judged", []), key=lambda e: (not e.is_source, e.paper_id))
    verdict, confidence = aggregate_judgments(judged)
    result = VerifiedClaim(**state["claim"].model_dump(), verdict=verdict,
                           confidence=round(min(max(confidence, 0.0), 1.0), 4), evidence=judged,
                           calibrated=services.judge_calibrated,
                           faithfulness=faithfulness(state["claim"], judged))
    return {"result": result}
