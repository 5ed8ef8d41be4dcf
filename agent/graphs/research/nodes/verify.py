"""verify: run the verifier graph on one claim (one branch per claim, sent by `route_claims`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.graphs.context import run_context
from agent.graphs.events import VerifyEvent
from agent.graphs.research.state import ClaimTask
from agent.graphs.tracking import emit, tracked
from agent.graphs.verifier import verify as run_verifier
from agent.services import Services


@tracked("verify")
def verify(task: ClaimTask, services: Services, runtime: Runtime) -> dict:
    result = run_verifier(task["claim"], run_context(runtime))
    emit(runtime, VerifyEvent(stage="verify", claim_id=result.id, verdict=result.verdict,
                              confidence=result.confidence))
    return {"verified": [result]}
