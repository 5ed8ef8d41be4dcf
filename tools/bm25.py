"""Lexical ranking (BM25) over the bundled snapshot, the other half of hybrid offline search.

Embeddings find paraphrases; BM25 finds the rare exact terms (dataset names, "PAWS-X", "SALT") that a
small embedding model blurs. bm25s keeps the index as a sparse matrix: building it over the 8k-paper
snapshot takes about a second, so it is built once per process rather than stored.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

from tools.snapshot import load_snapshot, paper_document

_STEMMER = Stemmer.Stemmer("english")
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG on import


def _tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)


class BM25Index:
    def __init__(self, ids: list[str], documents: list[str]) -> None:
        if len(ids) != len(documents):
            raise ValueError("one id per document")
        self.ids = ids
        self._index = bm25s.BM25()
        self._index.index(_tokenize(documents), show_progress=False)
        self._lock = threading.Lock()

    def search(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        """(id, score) pairs, best first; documents sharing no term with the query are left out."""
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=_STEMMER, show_progress=False,
                                return_ids=False)[0]
        if not tokens:
            return []
        with self._lock:
            scores = self._index.get_scores(tokens)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        ranked = sorted(top.tolist(), key=lambda i: (-float(scores[i]), self.ids[i]))
        return [(self.ids[i], float(scores[i])) for i in ranked if scores[i] > 0]


@lru_cache(maxsize=1)
def snapshot_bm25() -> BM25Index:
    papers = load_snapshot()
    return BM25Index([p.id for p in papers], [paper_document(p) for p in papers])
