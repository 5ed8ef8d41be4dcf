"""Atomic claims from one abstract, each anchored to the verbatim sentence(s) it rests on."""

from __future__ import annotations

import re

from agent.claims.anchoring import anchor_quote, make_self_contained
from agent.records import MAX_CLAIM_CHARS, Claim, ExtractionOutput, extraction_output_for
from prompts import render
from tools.llm.base import LLMProvider
from tools.papers import Paper
from tools.text import split_sentences

MIN_CLAIM_WORDS = 5


def normalized(text: str) -> str:
    """Lower-case words and numbers only: two claims that differ in punctuation are the same claim."""
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
        key = normalized(text)
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
        extraction_output_for(limit), max_tokens=180 * limit + 100,
    )
    return claims_from_output(output, sentences, paper, rank, limit)
