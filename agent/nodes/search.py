"""search and read: find candidate papers, then put the best ones into the library."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.nodes.common import Services, emit, tracked, warn
from agent.state import ResearchState


@tracked("search")
def search(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    indexed = services.library.ensure_snapshot_indexed(
        progress=lambda done, total: emit(runtime, stage="index", done=done, total=total)
    )
    outcome = services.search.search(state.get("queries", []), state["question"],
                                      limit=services.settings.max_papers * 2)
    emit(runtime, stage="search", found=len(outcome.papers), indexed=indexed, sources=outcome.sources)
    return {"candidates": outcome.papers, "search_sources": outcome.sources,
            "warnings": warn(runtime, *outcome.warnings)}


@tracked("read")
def read(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    papers = [p for p in state.get("candidates", []) if p.abstract.strip()][: services.settings.max_papers]
    added = services.library.add_papers(papers)
    chunks, failures = 0, []
    if services.settings.fetch_full_text and services.search.live_available():
        from tools.fulltext import FullTextError
        from tools.reader import fetch_full_text

        for paper in papers:
            if paper.id.startswith("local:") or services.library.has_full_text(paper.id):
                continue
            try:
                chunks += fetch_full_text(paper, services)
            except FullTextError as exc:
                failures.append(f"{paper.id} ({exc})")
    emit(runtime, stage="read", papers=len(papers), new_in_library=added, full_text_chunks=chunks)
    update: dict = {"papers": papers}
    if failures:
        update["warnings"] = warn(runtime, f"no full text for {len(failures)} paper(s), abstracts used: "
                                           + "; ".join(failures))
    return update
