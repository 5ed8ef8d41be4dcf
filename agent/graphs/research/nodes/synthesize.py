"""synthesize: answer the research question from the verified claims, citing claim ids."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.answer import NO_ANSWER_COMPOSED, NO_EVIDENCE_ANSWER, claims_block, compose_answer, sorted_claims
from agent.claims.citations import with_paper_ids
from agent.graphs.events import SynthesizeEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.records import synthesis_output_for
from agent.services import Services
from prompts import render
from tools.llm.base import InvalidModelOutput


@tracked("synthesize")
def synthesize(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    claims = sorted_claims(state.get("verified", []))
    if not claims:
        return {"answer": NO_EVIDENCE_ANSWER,
                "limitations": ["No verifiable claims were extracted from the papers found."]}
    ids = [c.id for c in claims]
    try:
        output = services.provider.structured(
            render("synthesize", question=state["question"], claims=claims_block(claims)),
            synthesis_output_for(ids), max_tokens=900,
        )
    except InvalidModelOutput as exc:  # keep the verified claims: the report lists them all
        return {"answer": NO_ANSWER_COMPOSED, "limitations": ["No answer could be composed from the claims."],
                "warnings": warn(runtime, f"the model could not compose an answer ({exc})")}
    answer, dropped, covered = compose_answer(output, claims, state["question"])
    answer = with_paper_ids(answer, claims)
    warnings = (
        warn(runtime, f"the answer cited unknown claim ids {sorted(set(dropped))}; they were removed")
        if dropped
        else []
    )
    limitations = list(dict.fromkeys(" ".join(item.split()) for item in output.not_settled if item.strip()))
    if not covered:
        limitations.insert(0, f"No paper found studies {' '.join(output.question_focus.split()).rstrip('.')} directly.")
    emit(runtime, SynthesizeEvent(stage="synthesize", answer_chars=len(answer)))
    return {"answer": answer, "limitations": limitations, "warnings": warnings}
