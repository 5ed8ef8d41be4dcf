"""verify: run the verifier graph on one claim (one branch per claim, sent by `route_claims`).

A claim its own quote does not entail (the extractor overstated or garbled it) is rewritten to the quote itself,
made self-contained, and verified again: no claim is shown in words its source does not support.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.anchoring import make_self_contained
from agent.claims.verdicts import FAITHFUL
from agent.graphs.context import run_context
from agent.graphs.events import VerifyEvent
from agent.graphs.research.state import ClaimTask
from agent.graphs.tracking import emit, tracked
from agent.graphs.verifier import verify as run_verifier
from agent.records import Claim
from agent.services import Services


def rewritten_to_quote(claim: Claim, services: Services) -> Claim | None:
    paper = services.find_paper(claim.paper_id)
    text = make_self_contained(claim.quote, paper) if paper else claim.quote
    if not text or text == claim.text:
        return None
    return claim.model_copy(update={"text": text, "rewritten_from": claim.text})


@tracked("verify")
def verify(task: ClaimTask, services: Services, runtime: Runtime) -> dict:
    context = run_context(runtime)
    result = run_verifier(task["claim"], context)
    if result.faithfulness is not None and result.faithfulness < FAITHFUL:
        rewritten = rewritten_to_quote(task["claim"], services)
        if rewritten is not None:
            result = run_verifier(rewritten, context)
    emit(runtime, VerifyEvent(stage="verify", claim_id=result.id, verdict=result.verdict,
                              confidence=result.confidence))
    return {"verified": [result]}
