"""extract: claims from one paper, read for the question, each labelled by its relevance to it (one branch per
paper, sent by `route_papers`)."""

from __future__ import annotations

from functools import partial

from langgraph.runtime import Runtime

from agent.claims.extraction import extract_from_paper, sentence_claims
from agent.claims.relevance import claim_relevance
from agent.graphs.context import run_context
from agent.graphs.events import ExtractEvent
from agent.graphs.research.state import PaperTask
from agent.graphs.tracking import emit, tracked, warn
from agent.services import Services
from tools.llm.base import InvalidModelOutput


def extraction_mode(services: Services) -> str:
    """'auto' is sentences with the embedded model (writing claims costs ~30 s a paper on 2 cores), model else."""
    mode = services.settings.extraction
    if mode == "auto":
        return "sentences" if services.provider.name == "local" else "model"
    return mode


@tracked("extract")
def extract(task: PaperTask, services: Services, runtime: Runtime) -> dict:
    paper, question = task["paper"], task.get("question", "")
    sub_questions = task.get("sub_questions", [])
    extractor = sentence_claims if extraction_mode(services) == "sentences" else partial(extract_from_paper,
                                                                                          provider=services.provider)
    try:
        claims = extractor(paper, limit=services.settings.max_claims_per_paper, rank=task["rank"], question=question,
                           sub_questions=sub_questions, embed=services.library.embedder.embed)
    except InvalidModelOutput as exc:  # one paper's failure does not end the run
        return {"extracted": [], "warnings": warn(runtime, f"no claims extracted from {paper.id}: {exc}")}
    budget = run_context(runtime).budget
    if question:  # one label call per claim, while the run's budget lasts (unlabelled claims stay "related")
        claims = [c if budget.check(services.settings, services.tracker)
                  else claim_relevance(c, question, sub_questions, services.provider) for c in claims]
    emit(runtime, ExtractEvent(stage="extract", paper_id=paper.id, claims=len(claims)))
    return {"extracted": claims}
