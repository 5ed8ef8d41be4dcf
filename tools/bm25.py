"""Lexical ranking (BM25) over the bundled snapshot, the other half of hybrid offline search.

Embeddings find paraphrases; BM25 finds the rare exact terms (dataset names, "PAWS-X", "SALT") that a
small embedding model blurs. bm25s keeps the index as a sparse matrix; building it over the 8k-paper
snapshot takes seconds, so `tools/snapshot_index.py` stores it in the data directory and loads it after.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from tools.files import write_text_atomically
from tools.snapshot import load_snapshot, paper_document

_STEMMER = Stemmer.Stemmer("english")
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG on import


def _tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)


class BM25Index:
    def __init__(self, ids: list[str], documents: list[str] | None = None, *, index: bm25s.BM25 | None = None) -> None:
        if documents is not None and len(ids) != len(documents):
            raise ValueError("one id per document")
        self.ids = ids
        if index is None:
            index = bm25s.BM25()
            index.index(_tokenize(documents or []), show_progress=False)
        self._index = index
        self._lock = threading.Lock()

    def save(self, directory: Path) -> None:
        """Write the index (its sparse matrix and vocabulary) so that `load` can skip tokenising the corpus."""
        staging = directory.with_name(f"{directory.name}.{os.getpid()}.partial")
        self._index.save(str(staging), show_progress=False)
        write_text_atomically(staging / "ids.json", json.dumps(self.ids))
        try:
            staging.rename(directory)  # whole or not at all; a concurrent process may have won the race
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, ids: list[str]) -> "BM25Index | None":
        """The saved index, or None when it is missing, damaged or built for other documents."""
        try:
            if json.loads((directory / "ids.json").read_text(encoding="utf-8")) != ids:
                return None
            return cls(ids, index=bm25s.BM25.load(str(directory), show_progress=False))
        except (OSError, ValueError, KeyError):
            return None

    def _query_tokens(self, query: str) -> list[str]:
        return bm25s.tokenize([query], stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=False)[0]

    def scores(self, query: str) -> np.ndarray:
        """BM25 of every document for the query, in `ids` order."""
        tokens = self._query_tokens(query)
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        with self._lock:
            return np.asarray(self._index.get_scores(tokens), dtype=np.float32)

    def search(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        """(id, score) pairs, best first; documents sharing no term with the query are left out."""
        scores = self.scores(query)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        ranked = sorted(top.tolist(), key=lambda i: (-float(scores[i]), self.ids[i]))
        return [(self.ids[i], float(scores[i])) for i in ranked if scores[i] > 0]


@lru_cache(maxsize=1)
def snapshot_bm25() -> BM25Index:
    papers = load_snapshot()
    return BM25Index([p.id for p in papers], [paper_document(p) for p in papers])
