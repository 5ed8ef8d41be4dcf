"""extract: atomic claims from one paper (fan-out per paper), then collect and number them."""

from __future__ import annotations

import re
from typing import Callable

import numpy as np
from langgraph.runtime import Runtime

from agent.claim_text import anchor_quote, make_self_contained
from agent.nodes.common import Services, emit, tracked, warn
from agent.records import MAX_CLAIM_CHARS, Claim, ClaimSource, ExtractionOutput
from agent.state import PaperTask, ResearchState
from prompts import render
from tools.llm.base import InvalidModelOutput, LLMProvider
from tools.papers import Paper
from tools.text import split_sentences

MIN_CLAIM_WORDS = 5


def _normalized(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def is_truncated(text: str) -> bool:
    """A claim that ran into its length bound without ending a sentence was cut off."""
    return len(text) >= MAX_CLAIM_CHARS - 5 and text[-1] not in ".!?\")"


def claims_from_output(output: ExtractionOutput, sentences: list[str], paper: Paper, rank: int,
                       limit: int) -> list[Claim]:
    """Keep well-formed claims, anchored to the sentence(s) they rest on; quotes come from our own text."""
    claims: list[Claim] = []
    seen: set[str] = set()
    for item in output.claims:
        text = " ".join(item.claim.split())
        if len(text.split()) < MIN_CLAIM_WORDS or is_truncated(text):
            continue
        quote = anchor_quote(text, sentences, item.sentence)
        if quote is None:  # the claim rests on no sentence of the abstract
            continue
        text = make_self_contained(text, paper)
        key = _normalized(text)
        if key in seen:
            continue
        seen.add(key)
        if text[-1] not in ".!?":
            text += "."
        claims.append(Claim(text=text, paper_id=paper.id, quote=quote, kind=item.kind, rank=(rank, len(claims))))
        if len(claims) >= limit:
            break
    return claims


def extract_from_paper(paper: Paper, provider: LLMProvider, limit: int, rank: int = 0) -> list[Claim]:
    """Claims from one abstract, anchored to its sentences; raises InvalidModelOutput if the model fails."""
    sentences = split_sentences(paper.abstract)
    if not sentences:
        return []
    numbered = "\n".join(f"[{i}] {sentence}" for i, sentence in enumerate(sentences, start=1))
    output = provider.structured(
        render("extract", title=paper.title, numbered_sentences=numbered, max_claims=limit),
        ExtractionOutput, max_tokens=180 * limit + 100,
    )
    return claims_from_output(output, sentences, paper, rank, limit)


@tracked("extract")
def extract_claims(task: PaperTask, services: Services, runtime: Runtime) -> dict:
    paper = task["paper"]
    try:
        claims = extract_from_paper(paper, services.provider, services.settings.max_claims_per_paper, task["rank"])
    except InvalidModelOutput as exc:  # one paper's failure does not end the run
        return {"extracted": [], "warnings": warn(runtime, f"no claims extracted from {paper.id}: {exc}")}
    emit(runtime, stage="extract", paper_id=paper.id, claims=len(claims))
    return {"extracted": claims}


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
            same_text = _normalized(other.text) == _normalized(claim.text)
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


def select_claims(extracted: list[Claim], max_claims: int,
                  embed: Callable[[list[str]], np.ndarray] | None = None) -> list[Claim]:
    """Order by paper rank, merge near-duplicates across papers, spread the budget round-robin over papers."""
    by_paper: dict[int, list[Claim]] = {}
    for claim in merge_near_duplicates(sorted(extracted, key=lambda c: c.rank), embed):
        by_paper.setdefault(claim.rank[0], []).append(claim)
    chosen: list[Claim] = []
    queues = [by_paper[rank] for rank in sorted(by_paper)]
    while queues and len(chosen) < max_claims:
        for queue in list(queues):
            if len(chosen) >= max_claims:
                break
            chosen.append(queue.pop(0))
            if not queue:
                queues.remove(queue)
    chosen.sort(key=lambda c: c.rank)
    return [claim.model_copy(update={"id": f"C{i}"}) for i, claim in enumerate(chosen, start=1)]


@tracked("collect")
def collect_claims(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    claims = select_claims(state.get("extracted", []), services.settings.max_claims,
                           embed=services.library.embedder.embed)
    emit(runtime, stage="collect", claims=len(claims))
    return {"claims": claims}
