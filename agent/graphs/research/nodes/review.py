"""review: several independent reviewer calls score the answer on a published rubric."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.answer import claims_block, sorted_claims
from agent.graphs.events import ReviewEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.records import ReviewOutput
from agent.report.review import rubric
from agent.services import Services
from prompts import render
from tools.llm.base import InvalidModelOutput

REVIEWER_TEMPERATURE = 0.7  # independent reviewers: different seeds, some sampling


@tracked("review")
def review(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    claims = sorted_claims(state.get("verified", []))
    messages = render("review", question=state["question"], answer=state.get("answer", ""),
                      claims=claims_block(claims) or "(none)", rubric="\n".join(f"- {c}" for c in rubric()))
    reviews, warnings = [], []
    for index in range(services.settings.n_reviewers):
        try:
            output = services.provider.structured(messages, ReviewOutput, max_tokens=250,
                                                  temperature=REVIEWER_TEMPERATURE, seed=services.settings.seed + index)
        except InvalidModelOutput as exc:
            warnings += warn(runtime, f"reviewer {index + 1} gave no usable review: {exc}")
            continue
        reviews.append({"score": output.score, "rationale": " ".join(output.rationale.split())})
        emit(runtime, ReviewEvent(stage="review", reviewer=index + 1, score=output.score))
    return {"reviews": reviews, "warnings": warnings}
