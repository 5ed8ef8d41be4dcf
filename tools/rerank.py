"""Rerank a candidate pool against the research question.

score = cosine(question, paper)                      the paper as a whole (MiniLM, title + abstract)
      + BM25_WEIGHT * BM25(question, paper) / max    exact technical terms, BM25 over the pool itself so
                                                     papers from every source are scored alike
      + SENTENCE_WEIGHT * max cosine(question, sentence of the abstract)
                                                     one sentence that matches is not diluted by the rest
      + FUSION_WEIGHT * fused rank score             agreement between the planned queries, a tie-breaker

The weights were chosen on half of the retrieval gold set (`evals/retrieval/`) and checked on the
other half; `python -m evals.search_bench` prints what each part adds.
"""

from __future__ import annotations

import numpy as np

from tools.bm25 import BM25Index
from tools.embeddings import MiniLMEmbedder
from tools.papers import Paper
from tools.snapshot import paper_document
from tools.text import split_sentences

BM25_WEIGHT = 0.2
SENTENCE_WEIGHT = 0.3
FUSION_WEIGHT = 0.5


def rerank(question: str, papers: list[Paper], paper_vectors: np.ndarray, embedder: MiniLMEmbedder,
           fused: dict[str, float]) -> dict[str, float]:
    """Score of each paper id for `question`; higher is better."""
    if not papers:
        return {}
    question_vec = embedder.embed([question])[0]
    scores = paper_vectors @ question_vec
    lexical = dict(BM25Index([p.id for p in papers], [paper_document(p) for p in papers]).search(
        question, k=len(papers)))
    top_lexical = max(lexical.values(), default=0.0) or 1.0
    sentences: list[str] = []
    owners: list[int] = []
    for position, paper in enumerate(papers):
        for sentence in split_sentences(paper.abstract) or [paper.abstract]:
            sentences.append(sentence)
            owners.append(position)
    best_sentence = np.full(len(papers), -1.0, dtype=np.float32)
    np.maximum.at(best_sentence, owners, embedder.embed(sentences) @ question_vec)
    return {
        paper.id: float(scores[i] + BM25_WEIGHT * lexical.get(paper.id, 0.0) / top_lexical
                        + SENTENCE_WEIGHT * best_sentence[i] + FUSION_WEIGHT * fused.get(paper.id, 0.0))
        for i, paper in enumerate(papers)
    }
