"""What the judge is shown: the claim's own paper and related passages of other papers, screened for
planted instructions, and windowed when long.

Longer passages (abstracts rarely are) are judged in overlapping windows of whole sentences, never cut: a
small model's judgement degrades on long inputs, and a cut can lose the deciding sentence.
"""

from __future__ import annotations

import numpy as np

from agent.claims.anchoring import overlap
from agent.graphs.verifier.state import Passage
from agent.records import Claim
from agent.services import Services
from tools.injection import screen_text
from tools.text import split_sentences

MIN_RELATED_SIMILARITY = 0.35
# The relevance gate: another paper's passage is about the claim's subject, and may support or contradict it,
# only when it is this close to the claim and shares this share of its content words. The rest are shown as
# unrelated and never judged: in a real run most of what the library returns is about something else, and a
# small judge turns such passages into contradictions.
SAME_SUBJECT_COSINE = 0.5
SAME_SUBJECT_OVERLAP = 0.25
MAX_PASSAGE_WORDS = 320


def screen_passage(passage: Passage) -> Passage:
    """The passage without sentences that address an AI system (`tools/injection.py`), noting what went."""
    screened = screen_text(passage["text"])
    if not screened.removed:
        return passage
    return Passage(**{**passage, "text": screened.text, "screened_out": screened.removed})


def window_passage(passage: Passage, max_words: int = MAX_PASSAGE_WORDS) -> list[Passage]:
    """The passage itself if short enough, else overlapping windows of whole sentences covering all of it."""
    sentences = split_sentences(passage["text"])
    if len(passage["text"].split()) <= max_words or len(sentences) < 2:
        return [passage]
    windows: list[Passage] = []
    start = 0
    while start < len(sentences):
        end, words = start, 0
        while end < len(sentences) and (end == start or words + len(sentences[end].split()) <= max_words):
            words += len(sentences[end].split())
            end += 1
        windows.append(Passage(**{**passage, "text": " ".join(sentences[start:end])}))
        if end >= len(sentences):
            break
        start = max(end - 1, start + 1)  # one sentence of overlap
    return windows


def prepare(passages: list[Passage]) -> list[Passage]:
    """Screened, then windowed: what the judge is shown."""
    return [w for p in passages for w in window_passage(screen_passage(p))]


def evidence_passages(claim: Claim, services: Services) -> list[Passage]:
    """The claim's own paper (abstract, and its best full-text chunk when read), every other paper stating the
    same finding, and the passages of other papers in the library most similar to the claim."""
    source = services.find_paper(claim.paper_id)
    passages: list[Passage] = []
    if source is not None:
        passages.append(Passage(paper_id=source.id, title=source.title, text=source.abstract, is_source=True))
        for hit in services.library.paper_chunks(claim.paper_id, claim.text, k=1):
            passages.append(Passage(paper_id=source.id, title=source.title, text=hit.text, is_source=True))
    for other in claim.also_in:  # the same finding stated by other papers: they are sources too
        if (paper := services.find_paper(other.paper_id)):
            passages.append(Passage(paper_id=paper.id, title=paper.title, text=paper.abstract, is_source=True))
    sources = {claim.paper_id, *(other.paper_id for other in claim.also_in)}
    related = services.library.related_passages(claim.text, exclude_paper_id=claim.paper_id,
                                                k=services.settings.max_evidence_per_claim)
    passages += [Passage(paper_id=hit.paper_id, title=hit.title, text=hit.text, is_source=False,
                         same_subject=same_subject(claim.text, hit.text, hit.score))
                 for hit in related if hit.score >= MIN_RELATED_SIMILARITY and hit.paper_id not in sources]
    return passages


def same_subject(claim_text: str, passage_text: str, cosine: float) -> bool:
    """The relevance gate: close in embedding and sharing the claim's content words (`SAME_SUBJECT_*`)."""
    return cosine >= SAME_SUBJECT_COSINE and overlap(claim_text, passage_text) >= SAME_SUBJECT_OVERLAP


def best_quote(claim_text: str, passage_text: str, services: Services) -> str:
    """The passage sentence closest to the claim (verbatim)."""
    sentences = split_sentences(passage_text) or [passage_text]
    if len(sentences) == 1:
        return sentences[0]
    vectors = services.library.embedder.embed([claim_text, *sentences])
    return sentences[int(np.argmax(vectors[1:] @ vectors[0]))]
