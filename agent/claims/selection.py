"""From every paper's claims to the run's: near-duplicates merged across papers, the budget spread over papers,
ids C1…Cn in a stable order."""

from __future__ import annotations

import re
from typing import Callable

import numpy as np

from agent.claims.extraction import normalized
from agent.records import Claim, ClaimSource

# Claims from different papers are the same finding when their embeddings are this close and they
# state the same numbers ("72.4 F1" and "75.1 F1" are different findings however similar the words).
NEAR_DUPLICATE_COSINE = 0.9
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def merge_near_duplicates(claims: list[Claim], embed: Callable[[list[str]], np.ndarray] | None) -> list[Claim]:
    """Merge claims stating the same finding, keeping the best-ranked one and every other source in `also_in`."""
    if len(claims) < 2:
        return claims
    vectors = embed([c.text for c in claims]) if embed else None
    merged: list[Claim] = []
    kept_at: list[int] = []
    for i, claim in enumerate(claims):
        numbers = sorted(_NUMBER.findall(claim.text))
        for slot, j in enumerate(kept_at):
            other = claims[j]
            same_text = normalized(other.text) == normalized(claim.text)
            close = vectors is not None and float(vectors[i] @ vectors[j]) >= NEAR_DUPLICATE_COSINE
            if same_text or (close and sorted(_NUMBER.findall(other.text)) == numbers):
                known = {merged[slot].paper_id, *(s.paper_id for s in merged[slot].also_in)}
                if claim.paper_id not in known:
                    merged[slot] = merged[slot].model_copy(update={
                        "also_in": [*merged[slot].also_in, ClaimSource(paper_id=claim.paper_id, quote=claim.quote)]})
                break
        else:
            merged.append(claim)
            kept_at.append(i)
    return merged


_TIER = {"direct": 0, "related": 1, "background": 2}


def relevance_order(claim: Claim) -> tuple:
    return (_TIER[claim.relevance], -claim.relevance_score, claim.rank)


def _round_robin(claims: list[Claim], budget: int) -> list[Claim]:
    """Up to `budget` claims, one per paper in turn (papers in order of their best claim), best first."""
    by_paper: dict[int, list[Claim]] = {}
    for claim in sorted(claims, key=relevance_order):
        by_paper.setdefault(claim.rank[0], []).append(claim)
    queues = sorted(by_paper.values(), key=lambda queue: relevance_order(queue[0]))
    chosen: list[Claim] = []
    while queues and len(chosen) < budget:
        for queue in list(queues):
            if len(chosen) >= budget:
                break
            chosen.append(queue.pop(0))
            if not queue:
                queues.remove(queue)
    return chosen


def select_claims(extracted: list[Claim], max_claims: int,
                  embed: Callable[[list[str]], np.ndarray] | None = None) -> list[Claim]:
    """Merge near-duplicates across papers; spend the budget on claims about the question (direct, then
    related) spread round-robin over papers, and on background claims only when budget is left; number them
    C1…Cn from the most relevant."""
    merged = merge_near_duplicates(sorted(extracted, key=lambda c: c.rank), embed)
    relevant = [c for c in merged if c.relevance != "background"]
    chosen = _round_robin(relevant, max_claims)
    chosen += _round_robin([c for c in merged if c.relevance == "background"], max_claims - len(chosen))
    chosen.sort(key=relevance_order)
    return [claim.model_copy(update={"id": f"C{i}"}) for i, claim in enumerate(chosen, start=1)]
