"""collect: the claims of every paper, merged across papers, within the budget, numbered C1…Cn."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.selection import select_claims
from agent.graphs.events import CollectEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked
from agent.services import Services


@tracked("collect")
def collect(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    claims = select_claims(state.get("extracted", []), services.settings.max_claims,
                           embed=services.library.embedder.embed)
    emit(runtime, CollectEvent(stage="collect", claims=len(claims)))
    return {"claims": claims}
