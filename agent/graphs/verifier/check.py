"""Check one claim on its own (`agent verify`, the chat): find the papers it is about, then run the verifier.

With a paper id, that paper is the claim's source; without, the search layer finds the papers the claim is
about. Either way the best matches go into the library first, so the verifier's evidence includes passages
from papers other than the source.
"""

from __future__ import annotations

from agent.errors import InputError
from agent.graphs.context import RunContext
from agent.graphs.verifier import verify
from agent.literature.lookup import resolve_paper
from agent.records import MAX_USER_CLAIM_CHARS, Claim, VerifiedClaim

PAPERS_FOR_CONTEXT = 4


def validate_claim(text: str) -> str:
    claim = " ".join(text.split())
    if not claim:
        raise InputError("the claim is empty")
    if len(claim) > MAX_USER_CLAIM_CHARS:
        raise InputError(f"the claim is {len(claim)} characters; keep it under {MAX_USER_CLAIM_CHARS} "
                         "(one claim, not a text)")
    return claim


def check_claim(text: str, context: RunContext, paper_id: str | None = None) -> tuple[VerifiedClaim, list[str]]:
    """(the verified claim, search warnings). Without `paper_id`, the best-matching paper is the source."""
    services = context.services
    claim_text = validate_claim(text)
    source = resolve_paper(paper_id, services) if paper_id else None
    found = services.search.search([], claim_text, limit=PAPERS_FOR_CONTEXT)
    papers = ([source] if source else []) + [p for p in found.papers if not source or p.id != source.id]
    services.library.add_papers(papers)
    claim = Claim(id="C1", text=claim_text, paper_id=source.id if source else papers[0].id if papers else "",
                  quote="")
    return verify(claim, context), found.warnings
