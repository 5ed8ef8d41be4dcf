"""The bundled snapshot as a search index of its own: exact dense scores and BM25, with no database.

- dense: the snapshot's precomputed embeddings (`tools/data/arxiv_snapshot.embeddings.npz`), scored against a
  query by one matrix product (exact cosine over 8,434 papers takes about a millisecond);
- lexical: BM25 (`tools/bm25.py`), built on first use and kept in the data directory, so a later process
  loads it instead of tokenising the corpus again;
- metadata arrays (year, categories), so filters apply before ranking.

It is read-only, so any number of processes can search it at once: nothing here takes the library's lock.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from tools.papers import Paper
from tools.snapshot import EMBEDDINGS_PATH, SNAPSHOT_PATH, paper_document

log = logging.getLogger(__name__)


def _records(path: Path) -> list[dict]:
    """The bundled papers as plain records: `Paper` objects (validated when the file was built) are made only
    for the papers a search returns, since making 8k of them costs most of a second a process."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class SnapshotIndex:
    def __init__(self, cache_dir: Path | None = None, snapshot_path: Path = SNAPSHOT_PATH,
                 embeddings_path: Path = EMBEDDINGS_PATH) -> None:
        self.records = _records(snapshot_path)
        self.ids = [r["id"] for r in self.records]
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        self._papers: dict[int, Paper] = {}
        self.cache_dir = cache_dir
        self._snapshot_path, self._embeddings_path = snapshot_path, embeddings_path
        self._vectors: np.ndarray | None = None
        self._bm25 = None
        self._vocabulary = None
        self._lock = threading.Lock()

    def paper(self, position: int) -> Paper:
        if position not in self._papers:
            self._papers[position] = Paper.model_construct(**self.records[position])
        return self._papers[position]

    def paper_by_id(self, paper_id: str) -> Paper:
        return self.paper(self.position[paper_id])

    @property
    def fingerprint(self) -> str:
        """Changes whenever the bundled snapshot does: cached indexes built from another one are not reused."""
        return hashlib.sha256(self._snapshot_path.read_bytes()).hexdigest()[:16]

    # -- dense --------------------------------------------------------------------------------------
    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            stored = np.load(self._embeddings_path)
            if list(stored["ids"]) != self.ids:
                raise ValueError(f"{self._embeddings_path} does not match the snapshot; rebuild it "
                                 "(python -m tools.snapshot_build ... --embeddings)")
            self._vectors = stored["vectors"].astype(np.float32)
        return self._vectors

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of every snapshot paper with the (normalised) query vector."""
        return self.vectors @ query_vector.astype(np.float32)

    # -- lexical ------------------------------------------------------------------------------------
    @property
    def bm25(self):
        from tools.bm25 import BM25Index

        with self._lock:
            if self._bm25 is None:
                where = self.cache_dir / f"bm25-{self.fingerprint}" if self.cache_dir else None
                index = BM25Index.load(where, self.ids) if where and where.exists() else None
                if index is None:
                    index = BM25Index(self.ids, [paper_document(self.paper(i)) for i in range(len(self.ids))])
                    if where is not None:
                        index.save(where)
                self._bm25 = index
            return self._bm25

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 of every snapshot paper for the query (0 for papers sharing no term with it)."""
        return self.bm25.scores(query)

    # -- names ------------------------------------------------------------------------------------
    @property
    def vocabulary(self):
        """Which words the snapshot's abstracts write as names (`tools/vocabulary.py`); counted on first use."""
        from tools.vocabulary import Vocabulary

        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = Vocabulary.from_texts(r.get("abstract", "") for r in self.records)
            return self._vocabulary

    # -- filters ------------------------------------------------------------------------------------
    def allowed(self, filters) -> np.ndarray | None:
        """A mask of the papers the filters admit, or None when there are no filters."""
        if filters is None or filters.is_empty():
            return None
        return np.array([filters.accepts(self.paper(i)) for i in range(len(self.ids))])


@lru_cache(maxsize=4)
def snapshot_index(cache_dir: Path | None = None) -> SnapshotIndex:
    """One index a process (the papers, vectors and BM25 matrix are loaded once)."""
    return SnapshotIndex(cache_dir)
