"""Atomic claims from one abstract, read for the research question, each anchored to the verbatim sentence(s)
it rests on.

The program chooses what the model reads (the abstract's sentences most similar to the question and its
sub-questions, background and aims left out) and what it keeps (claims whose wording and quote report a
finding, a method or a dataset: `roles.py`); the model writes the claims (`extract_from_paper`). Or, where
generation is dear (the embedded model on a CPU), the claims are the most relevant finding sentences
themselves, made self-contained (`sentence_claims`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from agent.claims.anchoring import anchor_quote, make_self_contained
from agent.claims.relevance import sentence_relevance
from agent.claims.roles import claim_kind, is_claim, statement_role
from agent.records import MAX_CLAIM_CHARS, Claim, ExtractionOutput, extraction_output_for
from prompts import render
from tools.llm.base import LLMProvider
from tools.papers import Paper
from tools.text import split_sentences

MIN_CLAIM_WORDS = 5
SENTENCES_READ = 6  # the most relevant sentences of an abstract the model is shown
FINDING_BONUS = 0.1  # a finding outranks a method sentence this much less similar to the question


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
        role = statement_role(text)
        if not is_claim(role) or statement_role(quote) in ("background", "aim"):
            continue  # background, an aim, or a fragment: not a claim
        text = make_self_contained(text, paper)
        key = normalized(text)
        if key in seen:
            continue
        seen.add(key)
        if text[-1] not in ".!?":
            text += "."
        claims.append(Claim(text=text, paper_id=paper.id, quote=quote, kind=claim_kind(text, role, item.kind),
                            rank=(rank, len(claims))))
        if len(claims) >= limit:
            break
    return claims


def sentences_to_read(sentences: list[str], question: str, sub_questions: Sequence[str],
                      embed: Callable[[list[str]], np.ndarray] | None, k: int = SENTENCES_READ) -> list[int]:
    """Indices (in abstract order) of the sentences worth extracting from: no background or aims, and the `k`
    most similar to the question when there are more."""
    candidates = [i for i, s in enumerate(sentences) if statement_role(s) not in ("background", "aim", "fragment")]
    candidates = candidates or list(range(len(sentences)))
    if embed is None or not question or len(candidates) <= k:
        return candidates
    scores = sentence_relevance([sentences[i] for i in candidates], question, sub_questions, embed)
    best = sorted(range(len(candidates)), key=lambda j: -scores[j])[:k]
    return sorted(candidates[j] for j in best)


def extract_from_paper(paper: Paper, provider: LLMProvider, limit: int, rank: int = 0, question: str = "",
                       sub_questions: Sequence[str] = (),
                       embed: Callable[[list[str]], np.ndarray] | None = None) -> list[Claim]:
    """Claims from one abstract, anchored to its sentences; raises InvalidModelOutput if the model fails."""
    sentences = split_sentences(paper.abstract)
    if not sentences:
        return []
    chosen = sentences_to_read(sentences, question, sub_questions, embed)
    numbered = "\n".join(f"[{i + 1}] {sentences[i]}" for i in chosen)
    output = provider.structured(
        render("extract", question=question or "(none given)", title=paper.title, numbered_sentences=numbered,
               max_claims=limit),
        extraction_output_for(limit), max_tokens=180 * limit + 100,
    )
    return claims_from_output(output, sentences, paper, rank, limit)


def sentence_claims(paper: Paper, limit: int, rank: int = 0, question: str = "", sub_questions: Sequence[str] = (),
                    embed: Callable[[list[str]], np.ndarray] | None = None) -> list[Claim]:
    """The abstract's sentences that report a finding (or, failing that, a method or dataset), most relevant to
    the question first, each made self-contained: claims that are their own quote, with every number kept."""
    sentences = split_sentences(paper.abstract)
    roles = {i: statement_role(sentences[i]) for i in range(len(sentences))}
    chosen = [i for i in range(len(sentences)) if is_claim(roles[i])]
    if not chosen:
        return []
    relevance = (sentence_relevance([sentences[i] for i in chosen], question, sub_questions, embed)
                 if embed is not None and question else [0.0] * len(chosen))
    findings_first = sorted(range(len(chosen)), key=lambda j: (
        -(relevance[j] + FINDING_BONUS * (roles[chosen[j]] == "finding")), j))
    claims: list[Claim] = []
    for j in findings_first[:limit]:
        quote, role = sentences[chosen[j]], roles[chosen[j]]
        text = make_self_contained(quote, paper)
        if text[-1] not in ".!?":
            text += "."
        claims.append(Claim(text=text, paper_id=paper.id, quote=quote, kind=claim_kind(text, role, "result"),
                            rank=(rank, len(claims))))
    return claims
