"""extract: atomic claims from one paper (one branch per paper, sent by `route_papers`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.claims.extraction import extract_from_paper
from agent.graphs.events import ExtractEvent
from agent.graphs.research.state import PaperTask
from agent.graphs.tracking import emit, tracked, warn
from agent.services import Services
from tools.llm.base import InvalidModelOutput


@tracked("extract")
def extract(task: PaperTask, services: Services, runtime: Runtime) -> dict:
    paper = task["paper"]
    try:
        claims = extract_from_paper(paper, services.provider, services.settings.max_claims_per_paper, task["rank"])
    except InvalidModelOutput as exc:  # one paper's failure does not end the run
        return {"extracted": [], "warnings": warn(runtime, f"no claims extracted from {paper.id}: {exc}")}
    emit(runtime, ExtractEvent(stage="extract", paper_id=paper.id, claims=len(claims)))
    return {"extracted": claims}
