"""review: several independent reviewer calls score the answer on a published rubric."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.nodes.common import Services, emit, tracked, warn
from agent.nodes.synthesize import claims_block, sorted_claims
from agent.records import ReviewOutput
from agent.state import ResearchState
from prompts import PROMPT_DIR, render
from tools.llm.base import InvalidModelOutput

REVIEWER_TEMPERATURE = 0.7  # independent reviewers: different seeds, some sampling


def rubric() -> list[str]:
    return [line.strip() for line in (PROMPT_DIR / "review_rubric.txt").read_text().splitlines() if line.strip()]


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
        emit(runtime, stage="review", reviewer=index + 1, score=output.score)
    return {"reviews": reviews, "warnings": warnings}
