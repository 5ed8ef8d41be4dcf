"""The paper library: Chroma, persistent in the data directory or behind a Chroma server.

Two collections:
- `arxiv_snapshot`: the bundled offline arXiv snapshot, one document per paper, for offline search;
- `library`: papers the agent has read or the user has indexed, as passages (the abstract, and
  full-text chunks when a PDF was read), with paper metadata; it persists between runs and is where
  the verifier finds evidence.
Embeddings are computed here (all-MiniLM-L6-v2, offline) and passed to Chroma explicitly.
Metadata carries `year` (int) and `categories` (a string array), so searches filter on both.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlparse

import numpy as np
from pydantic import BaseModel, Field

from tools.embeddings import EMBEDDING_MODEL_NAME, MiniLMEmbedder
from tools.errors import ConfigError
from tools.papers import Paper
from tools.snapshot import EMBEDDINGS_PATH, paper_document, snapshot_by_id

if TYPE_CHECKING:
    from tools.fulltext import Chunk

SNAPSHOT_COLLECTION = "arxiv_snapshot"
LIBRARY_COLLECTION = "library"
# Bumped when the stored metadata changes shape; an older snapshot collection is rebuilt.
SCHEMA_VERSION = 2
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
    kind: str = "abstract"


class PaperFilter(BaseModel):
    """Metadata filters shared by every search: publication year range and arXiv categories (any of)."""

    year_from: int | None = Field(None, ge=1990, le=2100)
    year_to: int | None = Field(None, ge=1990, le=2100)
    categories: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return self.year_from is None and self.year_to is None and not self.categories

    def to_where(self) -> dict | None:
        clauses: list[dict] = []
        if self.year_from is not None:
            clauses.append({"year": {"$gte": self.year_from}})
        if self.year_to is not None:
            clauses.append({"year": {"$lte": self.year_to}})
        if self.categories:
            any_of = [{"categories": {"$contains": c}} for c in self.categories]
            clauses.append(any_of[0] if len(any_of) == 1 else {"$or": any_of})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, paper: Paper) -> bool:
        """The same filter applied in Python (to live arXiv results and BM25 hits)."""
        if self.year_from is not None and (paper.year or 0) < self.year_from:
            return False
        if self.year_to is not None and (paper.year is None or paper.year > self.year_to):
            return False
        return not self.categories or bool(set(self.categories) & set(paper.categories))


def _paper_metadata(paper: Paper) -> dict:
    metadata = {
        "paper_id": paper.id, "title": paper.title, "year": paper.year or 0,
        "authors": json.dumps(paper.authors, ensure_ascii=False), "url": paper.url, "source": paper.source,
    }
    if paper.categories:  # Chroma refuses empty arrays
        metadata["categories"] = list(paper.categories)
    return metadata


def _paper_from_metadata(meta: dict, abstract: str) -> Paper:
    categories = meta.get("categories") or []
    if isinstance(categories, str):  # schema 1 stored a JSON string
        categories = json.loads(categories)
    return Paper(id=meta["paper_id"], title=meta["title"], authors=json.loads(meta.get("authors") or "[]"),
                 year=meta.get("year") or None, abstract=abstract, url=meta.get("url", ""),
                 categories=list(categories), source=meta.get("source", ""))


def open_chroma_client(chroma_dir: Path, chroma_url: str | None = None, lock_timeout: float = 1800.0):
    """A persistent client on `chroma_dir` (this process's alone: see `tools.store_lock`), or an HTTP client
    when a Chroma server URL is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        try:
            return chromadb.HttpClient(host=parsed.hostname or "localhost", port=parsed.port or 8000,
                                       ssl=parsed.scheme == "https", settings=settings)
        except Exception as exc:  # connection refused, wrong server, version mismatch
            raise ConfigError(f"cannot reach the Chroma server at {chroma_url} (AGENT_CHROMA_URL): {exc}") from None
    from tools.store_lock import lock_store

    try:
        lock_store(chroma_dir, lock_timeout)
        chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)
    except ConfigError:
        raise
    except Exception as exc:  # chromadb raises many types for a damaged or locked store
        raise ConfigError(f"cannot open the Chroma library at {chroma_dir}: {exc}") from None


class PaperLibrary:
    def __init__(self, chroma_dir: Path, embedder: MiniLMEmbedder, chroma_url: str | None = None,
                 lock_timeout: float = 1800.0) -> None:
        self.embedder = embedder
        self.location = chroma_url or str(chroma_dir)
        with CHROMA_LOCK:
            self.client = open_chroma_client(chroma_dir, chroma_url, lock_timeout)
            try:
                self.snapshot = self._collection(SNAPSHOT_COLLECTION)
                self.passages = self._collection(LIBRARY_COLLECTION)
            except ConfigError:
                raise
            except Exception as exc:
                raise ConfigError(f"cannot open the Chroma library at {self.location}: {exc}") from None

    def _collection(self, name: str):
        space = {"hnsw:space": "cosine", "embedding_model": EMBEDDING_MODEL_NAME, "schema": SCHEMA_VERSION}
        collection = self.client.get_or_create_collection(name, embedding_function=None, metadata=space)
        stored = collection.metadata or {}
        if stored.get("embedding_model") != EMBEDDING_MODEL_NAME:
            raise ConfigError(f"the Chroma collection {name!r} at {self.location} was built with another "
                              f"embedding model ({stored.get('embedding_model')}); use a fresh data directory")
        if stored.get("schema") != SCHEMA_VERSION and name == SNAPSHOT_COLLECTION:
            log.info("rebuilding the snapshot index (schema %s -> %s)", stored.get("schema"), SCHEMA_VERSION)
            self.client.delete_collection(name)
            collection = self.client.get_or_create_collection(name, embedding_function=None, metadata=space)
        return collection

    # -- offline snapshot ---------------------------------------------------------------------
    def ensure_snapshot_indexed(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Index the bundled snapshot on first use; return the number of papers indexed."""
        papers = list(snapshot_by_id().values())
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

    def search_snapshot(self, query: str, k: int = 20, filters: PaperFilter | None = None) -> list[Hit]:
        vector = self.embedder.embed([query])
        where = filters.to_where() if filters else None
        with CHROMA_LOCK:
            result = self.snapshot.query(query_embeddings=vector, n_results=k, where=where,
                                         include=["distances", "metadatas"])
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

    # -- the library of read and indexed papers ---------------------------------------------
    def add_papers(self, papers: list[Paper], progress: Callable[[int], None] | None = None) -> int:
        """Store each paper's abstract as a passage; returns how many papers were new.

        Papers are deduplicated by arXiv id (version suffixes are already stripped by `Paper`)."""
        unique = list({p.id: p for p in papers}.values())
        added = 0
        for start in range(0, len(unique), 256):
            batch = unique[start:start + 256]
            ids = [f"{p.id}#abstract" for p in batch]
            with CHROMA_LOCK:
                existing = set(self.passages.get(ids=ids, include=[])["ids"])
            new = [p for p in batch if f"{p.id}#abstract" not in existing]
            if new:
                vectors = self.embedder.embed([paper_document(p) for p in new])
                with CHROMA_LOCK:
                    self.passages.upsert(
                        ids=[f"{p.id}#abstract" for p in new], embeddings=vectors,
                        documents=[p.abstract for p in new],
                        metadatas=[{**_paper_metadata(p), "kind": "abstract"} for p in new],
                    )
            added += len(new)
            if progress:
                progress(len(batch))
        return added

    def add_full_text(self, paper: Paper, chunks: list[Chunk]) -> int:
        """Store a paper's full-text chunks (replacing any earlier ones); returns how many were stored."""
        self.add_papers([paper])
        with CHROMA_LOCK:
            self.passages.delete(where={"$and": [{"paper_id": paper.id}, {"kind": "chunk"}]})
        if not chunks:
            return 0
        vectors = self.embedder.embed([f"{paper.title}. {chunk.text}" for chunk in chunks])
        with CHROMA_LOCK:
            self.passages.upsert(
                ids=[f"{paper.id}#chunk-{chunk.index:04d}" for chunk in chunks], embeddings=vectors,
                documents=[chunk.text for chunk in chunks],
                metadatas=[{**_paper_metadata(paper), "kind": "chunk", "chunk": chunk.index,
                            "page_start": chunk.page_start, "page_end": chunk.page_end} for chunk in chunks],
            )
        return len(chunks)

    def has_full_text(self, paper_id: str) -> bool:
        with CHROMA_LOCK:
            found = self.passages.get(where={"$and": [{"paper_id": paper_id}, {"kind": "chunk"}]},
                                      include=[], limit=1)
        return bool(found["ids"])

    def get_paper(self, paper_id: str) -> Paper | None:
        with CHROMA_LOCK:
            found = self.passages.get(ids=[f"{paper_id}#abstract"], include=["documents", "metadatas"])
        if not found["ids"]:
            return None
        return _paper_from_metadata(found["metadatas"][0], found["documents"][0])

    def search_library(self, query: str, k: int = 20, filters: PaperFilter | None = None) -> list[tuple[Paper, Hit]]:
        """Papers in the library whose passages best match `query`, one (paper, best passage) per paper."""
        with CHROMA_LOCK:
            total = self.passages.count()
        if total == 0:
            return []
        where = filters.to_where() if filters else None
        vector = self.embedder.embed([query])
        with CHROMA_LOCK:
            result = self.passages.query(query_embeddings=vector, n_results=min(total, k * 4), where=where,
                                         include=["distances", "documents", "metadatas"])
        best: dict[str, Hit] = {}
        for dist, doc, meta in zip(result["distances"][0], result["documents"][0], result["metadatas"][0]):
            pid = meta["paper_id"]
            if pid not in best:
                best[pid] = Hit(paper_id=pid, score=1.0 - dist, text=doc, title=meta["title"],
                                kind=meta.get("kind", "abstract"))
        papers = [self.get_paper(pid) for pid in list(best)[:k]]
        return [(paper, best[paper.id]) for paper in papers if paper is not None]

    def related_passages(self, text: str, exclude_paper_id: str, k: int) -> list[Hit]:
        """Passages from papers other than `exclude_paper_id`, most similar to `text` first."""
        with CHROMA_LOCK:
            if k <= 0 or self.passages.count() == 0:
                return []
        vector = self.embedder.embed([text])
        with CHROMA_LOCK:
            result = self.passages.query(
                query_embeddings=vector, n_results=k,
                where={"paper_id": {"$ne": exclude_paper_id}}, include=["distances", "documents", "metadatas"],
            )
        return [Hit(paper_id=meta["paper_id"], score=1.0 - dist, text=doc, title=meta["title"],
                    kind=meta.get("kind", "abstract"))
                for dist, doc, meta in zip(result["distances"][0], result["documents"][0], result["metadatas"][0])]

    def paper_chunks(self, paper_id: str, text: str, k: int) -> list[Hit]:
        """The full-text chunks of one paper most similar to `text` (none if it was not read in full)."""
        if k <= 0 or not paper_id or not self.has_full_text(paper_id):
            return []
        vector = self.embedder.embed([text])
        with CHROMA_LOCK:
            result = self.passages.query(
                query_embeddings=vector, n_results=k, where={"$and": [{"paper_id": paper_id}, {"kind": "chunk"}]},
                include=["distances", "documents", "metadatas"])
        return [Hit(paper_id=paper_id, score=1.0 - dist, text=doc, title=meta["title"], kind="chunk")
                for dist, doc, meta in zip(result["distances"][0], result["documents"][0], result["metadatas"][0])]

    def stored_texts(self, paper_id: str) -> list[str]:
        """Everything stored of one paper: its abstract and its full-text chunks."""
        with CHROMA_LOCK:
            found = self.passages.get(where={"paper_id": paper_id}, include=["documents"])
        return [doc for doc in found["documents"] if doc]

    def count_papers(self) -> int:
        with CHROMA_LOCK:
            return len(self.passages.get(where={"kind": "abstract"}, include=[])["ids"])
