"""synthesize: answer the research question from the verified claims, citing claim ids; then check that every
sentence the model wrote is entailed by the claims it cites (`agent/claims/answer_check.py`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.answer import (
    NO_ANSWER_COMPOSED,
    NO_EVIDENCE_ANSWER,
    claims_block,
    clean_focus,
    compose_paragraphs,
    sorted_claims,
)
from agent.claims.answer_check import check_answer
from agent.claims.citations import with_paper_ids
from agent.graphs.events import SynthesizeEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.graphs.verifier.judges import entailment_probability
from agent.records import synthesis_output_for
from agent.services import Services
from prompts import render
from tools.llm.base import InvalidModelOutput


@tracked("synthesize")
def synthesize(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    claims = sorted_claims(state.get("verified", []))
    if not claims:
        return {"answer": NO_EVIDENCE_ANSWER, "answers_question": False,
                "limitations": ["No verifiable claims were extracted from the papers found."]}
    ids = [c.id for c in claims]
    try:
        output = services.provider.structured(
            render("synthesize", question=state["question"], claims=claims_block(claims)),
            synthesis_output_for(ids), max_tokens=900,
        )
    except InvalidModelOutput as exc:  # keep the verified claims: the report lists them all
        return {"answer": NO_ANSWER_COMPOSED, "answers_question": False,
                "limitations": ["No answer could be composed from the claims."],
                "warnings": warn(runtime, f"the model could not compose an answer ({exc})")}
    paragraphs, dropped, covered = compose_paragraphs(output, claims, state["question"],
                                                      state.get("sub_questions", []))
    paragraphs, check = check_answer(paragraphs, claims,
                                     lambda sentence, passage: entailment_probability(sentence, passage, services))
    answer = with_paper_ids("\n\n".join(paragraphs), claims)
    warnings = (
        warn(runtime, f"the answer cited unknown claim ids {sorted(set(dropped))}; they were removed")
        if dropped
        else []
    )
    if check.rewritten or check.removed:
        warnings += warn(runtime, f"{check.rewritten} answer sentence(s) not entailed by the claims they cite were "
                                  f"rewritten from them, {check.removed} uncited one(s) removed")
    limitations = []
    if not covered:
        limitations.append(f"No paper found studies {clean_focus(output.question_focus)} directly; the findings are "
                           "the closest evidence (neighbouring settings).")
    emit(runtime, SynthesizeEvent(stage="synthesize", answer_chars=len(answer)))
    return {"answer": answer, "limitations": limitations, "warnings": warnings, "answers_question": covered,
            "answer_check": {"sentences": check.sentences, "citing": check.citing, "entailed": check.entailed,
                             "rewritten": check.rewritten, "removed": check.removed}}
