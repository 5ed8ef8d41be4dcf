"""review: each rubric criterion scored from the model's label probabilities, capped by the computed checks
(`agent/report/review.py`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.answer import claims_block, sorted_claims
from agent.graphs.events import ReviewEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked
from agent.report.review import criterion_caps, criterion_name, rubric, score_criterion
from agent.services import Services


@tracked("review")
def review(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    claims = sorted_claims(state.get("verified", []))
    check = state.get("answer_check", {})
    precision = check["entailed"] / check["citing"] if check.get("citing") else None
    caps = criterion_caps(bool(state.get("answers_question", False)), precision, len(claims))
    reviews = []
    for criterion in rubric():
        scored = score_criterion(services.provider, criterion, state["question"], state.get("answer", ""),
                                 claims_block(claims) or "(none)", caps.get(criterion_name(criterion)))
        reviews.append(scored.model_dump())
        emit(runtime, ReviewEvent(stage="review", criterion=criterion_name(criterion), score=scored.score))
    return {"reviews": reviews}
