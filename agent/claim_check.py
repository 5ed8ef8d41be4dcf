"""Check one claim on its own (`agent verify`): find the papers it is about, then run the verifier graph.

With `--paper ID` that paper is the claim's source; without, the search layer finds the papers the
claim is about. Either way the best matches go into the library first, so the verifier's evidence
includes passages from papers other than the source.
"""

from __future__ import annotations

from agent.errors import InputError
from agent.records import Claim, VerifiedClaim
from agent.services import Services
from tools.papers import Paper, normalize_arxiv_id
from tools.snapshot import snapshot_by_id

MAX_CLAIM_CHARS = 1000
PAPERS_FOR_CONTEXT = 4


def validate_claim(text: str) -> str:
    claim = " ".join(text.split())
    if not claim:
        raise InputError("the claim is empty")
    if len(claim) > MAX_CLAIM_CHARS:
        raise InputError(f"the claim is {len(claim)} characters; keep it under {MAX_CLAIM_CHARS} (one claim, not a text)")
    return claim


def resolve_paper(paper_id: str, services: Services) -> Paper:
    """The paper from the library, the snapshot or (online) arXiv; a clear error if none has it."""
    wanted = normalize_arxiv_id(paper_id)
    paper = services.library.get_paper(wanted) or snapshot_by_id().get(wanted)
    if paper is None and services.arxiv is not None and services.search.live_available():
        found = services.arxiv.lookup([paper_id])
        paper = found[0] if found else None
    if paper is None:
        where = "the library or the offline snapshot" + ("" if services.arxiv is None else " or on arXiv")
        raise InputError(f"paper {paper_id} not found in {where}")
    return paper


def check_claim(text: str, services: Services, paper_id: str | None = None) -> tuple[VerifiedClaim, list[str]]:
    """(the verified claim, search warnings). Without `paper_id`, the best-matching paper is the source."""
    from agent.nodes.verify import verifier_graph

    claim_text = validate_claim(text)
    services.library.ensure_snapshot_indexed()
    source = resolve_paper(paper_id, services) if paper_id else None
    found = services.search.search([], claim_text, limit=PAPERS_FOR_CONTEXT)
    papers = ([source] if source else []) + [p for p in found.papers if not source or p.id != source.id]
    services.library.add_papers(papers)
    claim = Claim(id="C1", text=claim_text, paper_id=source.id if source else papers[0].id if papers else "",
                  quote="")
    result = verifier_graph().invoke({"claim": claim}, context=services)["result"]
    return result, found.warnings
