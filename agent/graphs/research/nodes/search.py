"""search: find candidate papers for the question and its planned queries (snapshot, library, live arXiv)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.graphs.events import SearchEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.services import Services


@tracked("search")
def search(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    outcome = services.search.search(state.get("queries", []), state["question"],
                                      limit=services.settings.max_papers * 2)
    emit(runtime, SearchEvent(stage="search", found=len(outcome.papers), sources=outcome.sources))
    return {"candidates": outcome.papers, "search_sources": outcome.sources,
            "warnings": warn(runtime, *outcome.warnings)}
