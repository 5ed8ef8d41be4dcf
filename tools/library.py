"""The paper library: a persistent Chroma store in the data directory.

Two collections:
- `arxiv_snapshot`: the bundled offline arXiv snapshot, one document per paper, for offline search;
- `library`: papers the agent has read, as passages (abstract, and full-text chunks when read),
  with paper metadata; it persists between runs and is where the verifier finds evidence.
Embeddings are computed here (all-MiniLM-L6-v2, offline) and passed to Chroma explicitly.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from agent.errors import ConfigError
from tools.embeddings import EMBEDDING_MODEL_NAME, MiniLMEmbedder
from tools.papers import Paper
from tools.snapshot import EMBEDDINGS_PATH, load_snapshot, paper_document

SNAPSHOT_COLLECTION = "arxiv_snapshot"
LIBRARY_COLLECTION = "library"
_BATCH = 2000
# One lock for every Chroma call in the process: fan-out branches query from several threads, and a
# query racing a fresh write has failed inside Chroma ("Error creating hnsw segment reader").
CHROMA_LOCK = threading.RLock()
log = logging.getLogger(__name__)


@dataclass
class Hit:
    paper_id: str
    score: float  # cosine similarity, higher is better
    text: str = ""
    title: str = ""


def _paper_metadata(paper: Paper) -> dict:
    return {
        "paper_id": paper.id, "title": paper.title, "year": paper.year or 0,
        "authors": json.dumps(paper.authors, ensure_ascii=False), "url": paper.url,
        "categories": json.dumps(paper.categories), "source": paper.source,
    }


def _paper_from_metadata(meta: dict, abstract: str) -> Paper:
    return Paper(id=meta["paper_id"], title=meta["title"], authors=json.loads(meta.get("authors") or "[]"),
                 year=meta.get("year") or None, abstract=abstract, url=meta.get("url", ""),
                 categories=json.loads(meta.get("categories") or "[]"), source=meta.get("source", ""))


class PaperLibrary:
    def __init__(self, chroma_dir: Path, embedder: MiniLMEmbedder) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.embedder = embedder
        try:
            chroma_dir.mkdir(parents=True, exist_ok=True)
            with CHROMA_LOCK:
                self.client = chromadb.PersistentClient(
                    path=str(chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
                )
                space = {"hnsw:space": "cosine", "embedding_model": EMBEDDING_MODEL_NAME}
                self.snapshot = self.client.get_or_create_collection(
                    SNAPSHOT_COLLECTION, embedding_function=None, metadata=space)
                self.passages = self.client.get_or_create_collection(
                    LIBRARY_COLLECTION, embedding_function=None, metadata=space)
        except Exception as exc:  # chromadb raises many types for a damaged or locked store
            raise ConfigError(f"cannot open the Chroma library at {chroma_dir}: {exc}") from None

    # -- offline snapshot ---------------------------------------------------------------------
    def ensure_snapshot_indexed(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Index the bundled snapshot on first use; return the number of papers indexed."""
        papers = load_snapshot()
        with CHROMA_LOCK:
            if self.snapshot.count() >= len(papers):
                return self.snapshot.count()
            vectors = self._snapshot_vectors(papers)
            for start in range(0, len(papers), _BATCH):
                batch = papers[start:start + _BATCH]
                self.snapshot.upsert(
                    ids=[p.id for p in batch],
                    embeddings=vectors[start:start + _BATCH],
                    documents=[paper_document(p) for p in batch],
                    metadatas=[_paper_metadata(p) for p in batch],
                )
                if progress:
                    progress(min(start + _BATCH, len(papers)), len(papers))
            return self.snapshot.count()

    def _snapshot_vectors(self, papers: list[Paper]) -> np.ndarray:
        if EMBEDDINGS_PATH.exists():
            stored = np.load(EMBEDDINGS_PATH)
            if str(stored["model"]) == EMBEDDING_MODEL_NAME and list(stored["ids"]) == [p.id for p in papers]:
                return stored["vectors"].astype(np.float32)
            log.warning("precomputed snapshot embeddings do not match the snapshot; recomputing")
        return self.embedder.embed([paper_document(p) for p in papers])

    def search_snapshot(self, query: str, k: int = 20) -> list[Hit]:
        with CHROMA_LOCK:
            vector = self.embedder.embed([query])
            result = self.snapshot.query(query_embeddings=vector, n_results=k, include=["distances", "metadatas"])
            return [Hit(paper_id=pid, score=1.0 - dist, title=meta["title"])
                    for pid, dist, meta in zip(result["ids"][0], result["distances"][0], result["metadatas"][0])]

    def paper_vectors(self, papers: list[Paper]) -> np.ndarray:
        """Embeddings of papers: stored ones from the snapshot index, the rest computed now."""
        with CHROMA_LOCK:
            stored = self.snapshot.get(ids=[p.id for p in papers], include=["embeddings"])
            by_id = dict(zip(stored["ids"], stored["embeddings"]))
            missing = [p for p in papers if p.id not in by_id]
            if missing:
                by_id.update(zip([p.id for p in missing], self.embedder.embed([paper_document(p) for p in missing])))
            return np.array([by_id[p.id] for p in papers], dtype=np.float32)

    # -- the library of read papers ------------------------------------------------------------
    def add_papers(self, papers: list[Paper]) -> int:
        """Store each paper's abstract as a passage; returns how many papers were new."""
        with CHROMA_LOCK:
            if not papers:
                return 0
            ids = [f"{p.id}#abstract" for p in papers]
            existing = set(self.passages.get(ids=ids, include=[])["ids"])
            new = [p for p in papers if f"{p.id}#abstract" not in existing]
            if new:
                self.passages.upsert(
                    ids=[f"{p.id}#abstract" for p in new],
                    embeddings=self.embedder.embed([paper_document(p) for p in new]),
                    documents=[p.abstract for p in new],
                    metadatas=[{**_paper_metadata(p), "kind": "abstract"} for p in new],
                )
            return len(new)

    def get_paper(self, paper_id: str) -> Paper | None:
        with CHROMA_LOCK:
            found = self.passages.get(ids=[f"{paper_id}#abstract"], include=["documents", "metadatas"])
            if not found["ids"]:
                return None
            return _paper_from_metadata(found["metadatas"][0], found["documents"][0])

    def related_passages(self, text: str, exclude_paper_id: str, k: int) -> list[Hit]:
        """Passages from papers other than `exclude_paper_id`, most similar to `text` first."""
        with CHROMA_LOCK:
            if k <= 0 or self.passages.count() == 0:
                return []
            result = self.passages.query(
                query_embeddings=self.embedder.embed([text]), n_results=k,
                where={"paper_id": {"$ne": exclude_paper_id}}, include=["distances", "documents", "metadatas"],
            )
            return [Hit(paper_id=meta["paper_id"], score=1.0 - dist, text=doc, title=meta["title"])
                    for dist, doc, meta in zip(result["distances"][0], result["documents"][0], result["metadatas"][0])]

    def count_papers(self) -> int:
        with CHROMA_LOCK:
            return len(self.passages.get(where={"kind": "abstract"}, include=[])["ids"])
