"""A paper by its id: from the library, the bundled snapshot or (online) arXiv."""

from __future__ import annotations

from agent.errors import InputError
from agent.services import Services
from tools.papers import Paper, normalize_arxiv_id


def resolve_paper(paper_id: str, services: Services) -> Paper:
    """The paper from the library, the snapshot or (online) arXiv; a clear error if none has it."""
    wanted = normalize_arxiv_id(paper_id)
    paper = services.find_paper(wanted)
    if paper is None and services.arxiv is not None and services.search.live_available():
        found = services.arxiv.lookup([paper_id])
        paper = found[0] if found else None
    if paper is None:
        where = "the library or the offline snapshot" + ("" if services.arxiv is None else " or on arXiv")
        raise InputError(f"paper {paper_id} not found in {where}")
    return paper
