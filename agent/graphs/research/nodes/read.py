"""read: put the best candidates into the library, with their PDFs' full text when arXiv is reachable."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.graphs.events import ReadEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.services import Services
from tools.fulltext import FullTextError


@tracked("read")
def read(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    papers = [p for p in state.get("candidates", []) if p.abstract.strip()][: services.settings.max_papers]
    added = services.library.add_papers(papers)
    chunks, failures = 0, []
    if services.settings.fetch_full_text and services.search.live_available():
        for paper in papers:
            if paper.id.startswith("local:") or services.library.has_full_text(paper.id):
                continue
            try:
                chunks += services.reader.fetch(paper)
            except FullTextError as exc:
                failures.append(f"{paper.id} ({exc})")
    emit(runtime, ReadEvent(stage="read", papers=len(papers), new_in_library=added, full_text_chunks=chunks))
    update: dict = {"papers": papers}
    if failures:
        update["warnings"] = warn(runtime, f"no full text for {len(failures)} paper(s), abstracts used: "
                                           + "; ".join(failures))
    return update
