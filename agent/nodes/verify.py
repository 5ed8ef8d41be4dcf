"""verify: run the verifier graph on one claim (fan-out per claim)."""

from __future__ import annotations

from functools import lru_cache

from langgraph.runtime import Runtime

from agent.nodes.common import Services, emit, tracked
from agent.state import ClaimTask


@lru_cache(maxsize=1)
def verifier_graph():
    from agent.verifier import build_verifier_graph

    return build_verifier_graph()


@tracked("verify")
def verify_claim(task: ClaimTask, services: Services, runtime: Runtime) -> dict:
    final = verifier_graph().invoke({"claim": task["claim"]}, context=services)
    result = final["result"]
    emit(runtime, stage="verify", claim_id=result.id, verdict=result.verdict, confidence=result.confidence)
    return {"verified": [result]}
