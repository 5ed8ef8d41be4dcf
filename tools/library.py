"""The paper library: papers the agent has read or the user has indexed, as passages (the abstract, and
full-text chunks when a PDF was read), with paper metadata. It persists between runs and is where the
verifier finds evidence.

The store is Chroma: persistent in the data directory, or a Chroma server (`AGENT_CHROMA_URL`). Chroma's
embedded store belongs to one process at a time (`tools/store_lock.py`), so a process takes that lock only
when it first writes. Every write also refreshes a read view beside the store (`library_view.npz`: the
passages, their metadata and vectors, replaced atomically), and a process that has not written reads from
the view, with no lock at all: `agent search` in one terminal never waits for `agent chat` in another.

Embeddings are computed here (all-MiniLM-L6-v2, offline) and passed to Chroma explicitly. Metadata carries
`year` (int) and `categories` (a string array), so searches filter on both. The bundled arXiv snapshot is
not in here: it is a read-only index of its own (`tools/snapshot_index.py`).
"""

from __future__ import annotations

import io
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
from tools.files import open_atomically
from tools.papers import Paper
from tools.snapshot import paper_document

if TYPE_CHECKING:
    from tools.fulltext import Chunk

LIBRARY_COLLECTION = "library"
VIEW_NAME = "library_view.npz"
_PAGE = 5000
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
        """The same filter applied in Python (the snapshot, the read view, live arXiv results)."""
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
    if paper.bib_entry:
        metadata["bib_entry"] = json.dumps(paper.bib_entry, ensure_ascii=False)
    return metadata


def _paper_from_metadata(meta: dict, abstract: str) -> Paper:
    categories = meta.get("categories") or []
    if isinstance(categories, str):  # schema 1 stored a JSON string
        categories = json.loads(categories)
    return Paper(id=meta["paper_id"], title=meta["title"], authors=json.loads(meta.get("authors") or "[]"),
                 year=meta.get("year") or None, abstract=abstract, url=meta.get("url", ""),
                 categories=list(categories), source=meta.get("source", ""),
                 bib_entry=json.loads(meta.get("bib_entry") or "{}"))


def open_chroma_client(chroma_dir: Path, chroma_url: str | None = None, lock_timeout: float = 1800.0,
                       on_wait: Callable[[str], None] | None = None):
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
        lock_store(chroma_dir, lock_timeout, on_wait=on_wait)
        chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)
    except ConfigError:
        raise
    except Exception as exc:  # chromadb raises many types for a damaged or locked store
        raise ConfigError(f"cannot open the Chroma library at {chroma_dir}: {exc}") from None


class LibraryView:
    """The library as of its last write, read from `library_view.npz` with no lock: passages, metadata and
    vectors in memory, searched by exact cosine. Reloaded when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple | None = None
        self.ids: list[str] = []
        self.documents: list[str] = []
        self.metadatas: list[dict] = []
        self.vectors = np.zeros((0, MiniLMEmbedder.dimension), dtype=np.float32)

    def refresh(self) -> "LibraryView":
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return self
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            try:
                with np.load(self.path) as stored:
                    records = json.loads(str(stored["records"]))
                    vectors = stored["vectors"].astype(np.float32)
            except (OSError, ValueError, KeyError) as exc:  # a damaged view reads as the last good one
                log.warning("ignoring an unreadable library view %s: %s", self.path, exc)
                return self
            self.ids = [r["id"] for r in records]
            self.documents = [r["document"] for r in records]
            self.metadatas = [r["metadata"] for r in records]
            self.vectors, self._stamp = vectors, stamp
        return self

    @staticmethod
    def write(path: Path, ids: list[str], documents: list[str], metadatas: list[dict], vectors: np.ndarray) -> None:
        records = [{"id": i, "document": d, "metadata": m} for i, d, m in zip(ids, documents, metadatas)]
        buffer = io.BytesIO()
        np.savez(buffer, records=np.array(json.dumps(records, ensure_ascii=False)),
                 vectors=np.asarray(vectors, dtype=np.float16).reshape(len(ids), MiniLMEmbedder.dimension))
        with open_atomically(path) as handle:
            handle.write(buffer.getvalue())

    def rows(self, *, paper_id: str | None = None, kind: str | None = None) -> list[int]:
        return [i for i, m in enumerate(self.metadatas)
                if (paper_id is None or m["paper_id"] == paper_id) and (kind is None or m.get("kind") == kind)]

    def nearest(self, vector: np.ndarray, k: int, keep: Callable[[dict], bool]) -> list[tuple[int, float]]:
        """(row, cosine) of the k rows whose metadata `keep` admits, most similar first."""
        if not self.ids or k <= 0:
            return []
        scores = self.vectors @ vector
        order = np.argsort(-scores, kind="stable")
        found = []
        for row in order:
            if keep(self.metadatas[row]):
                found.append((int(row), float(scores[row])))
                if len(found) >= k:
                    break
        return found


def _accepts(filters: PaperFilter | None, meta: dict) -> bool:
    if filters is None or filters.is_empty():
        return True
    year = meta.get("year") or None
    categories = meta.get("categories") or []
    return filters.accepts(Paper.model_construct(id=meta["paper_id"], title="", abstract="", year=year,
                                                 categories=list(categories)))


class PaperLibrary:
    def __init__(self, chroma_dir: Path, embedder: MiniLMEmbedder, chroma_url: str | None = None,
                 lock_timeout: float = 1800.0, on_wait: Callable[[str], None] | None = None) -> None:
        if not chroma_url and chroma_dir.exists() and not chroma_dir.is_dir():
            raise ConfigError(f"cannot open the Chroma library at {chroma_dir}: it is a file, not a directory")
        self.embedder = embedder
        self.chroma_dir, self.chroma_url = chroma_dir, chroma_url
        self.location = chroma_url or str(chroma_dir)
        self.lock_timeout, self.on_wait = lock_timeout, on_wait
        self.view = LibraryView(chroma_dir.parent / VIEW_NAME)
        self._passages = None  # the Chroma collection, opened on first write (or at once for a server)
        if chroma_url:
            self._open()

    # -- the store -----------------------------------------------------------------------------------
    def _open(self):
        """The Chroma collection; the first call takes the store's lock (a server needs none)."""
        with CHROMA_LOCK:
            if self._passages is None:
                client = open_chroma_client(self.chroma_dir, self.chroma_url, self.lock_timeout, self.on_wait)
                try:
                    self._passages = self._collection(client)
                except ConfigError:
                    raise
                except Exception as exc:
                    raise ConfigError(f"cannot open the Chroma library at {self.location}: {exc}") from None
                if not self.chroma_url:
                    self._export_view()  # a library from before the view existed gets one now
            return self._passages

    def _collection(self, client):
        space = {"hnsw:space": "cosine", "embedding_model": EMBEDDING_MODEL_NAME}
        collection = client.get_or_create_collection(LIBRARY_COLLECTION, embedding_function=None, metadata=space)
        stored = collection.metadata or {}
        if stored.get("embedding_model") != EMBEDDING_MODEL_NAME:
            raise ConfigError(f"the Chroma collection {LIBRARY_COLLECTION!r} at {self.location} was built with "
                              f"another embedding model ({stored.get('embedding_model')}); use a fresh data directory")
        return collection

    @property
    def _reads_from_store(self) -> bool:
        return self._passages is not None

    def _export_view(self) -> None:
        """Write the read view from the store's whole contents (called under CHROMA_LOCK after each write)."""
        ids, documents, metadatas, vectors = [], [], [], []
        offset = 0
        while True:
            page = self._passages.get(include=["documents", "metadatas", "embeddings"], limit=_PAGE, offset=offset)
            if not page["ids"]:
                break
            ids += page["ids"]
            documents += page["documents"]
            metadatas += page["metadatas"]
            vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
            offset += len(page["ids"])
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, MiniLMEmbedder.dimension), dtype=np.float32)
        LibraryView.write(self.view.path, ids, documents, metadatas, matrix)

    # -- writes ----------------------------------------------------------------------------------------
    def add_papers(self, papers: list[Paper], progress: Callable[[int], None] | None = None) -> int:
        """Store each paper's abstract as a passage; returns how many papers were new.

        Papers are deduplicated by arXiv id (version suffixes are already stripped by `Paper`)."""
        unique = list({p.id: p for p in papers}.values())
        if not unique:
            return 0
        passages = self._open()
        added = 0
        for start in range(0, len(unique), 256):
            batch = unique[start:start + 256]
            ids = [f"{p.id}#abstract" for p in batch]
            with CHROMA_LOCK:
                existing = set(passages.get(ids=ids, include=[])["ids"])
            new = [p for p in batch if f"{p.id}#abstract" not in existing]
            if new:
                vectors = self.embedder.embed([paper_document(p) for p in new])
                with CHROMA_LOCK:
                    passages.upsert(
                        ids=[f"{p.id}#abstract" for p in new], embeddings=vectors,
                        documents=[p.abstract for p in new],
                        metadatas=[{**_paper_metadata(p), "kind": "abstract"} for p in new],
                    )
            added += len(new)
            if progress:
                progress(len(batch))
        if added and not self.chroma_url:
            with CHROMA_LOCK:
                self._export_view()
        return added

    def add_full_text(self, paper: Paper, chunks: list[Chunk]) -> int:
        """Store a paper's full-text chunks (replacing any earlier ones); returns how many were stored."""
        self.add_papers([paper])
        passages = self._open()
        with CHROMA_LOCK:
            passages.delete(where={"$and": [{"paper_id": paper.id}, {"kind": "chunk"}]})
        if chunks:
            vectors = self.embedder.embed([f"{paper.title}. {chunk.text}" for chunk in chunks])
            with CHROMA_LOCK:
                passages.upsert(
                    ids=[f"{paper.id}#chunk-{chunk.index:04d}" for chunk in chunks], embeddings=vectors,
                    documents=[chunk.text for chunk in chunks],
                    metadatas=[{**_paper_metadata(paper), "kind": "chunk", "chunk": chunk.index,
                                "page_start": chunk.page_start, "page_end": chunk.page_end} for chunk in chunks],
                )
        if not self.chroma_url:
            with CHROMA_LOCK:
                self._export_view()
        return len(chunks)

    # -- reads: from the store once this process writes to it, else from the view --------------------
    def has_full_text(self, paper_id: str) -> bool:
        if self._reads_from_store:
            with CHROMA_LOCK:
                found = self._passages.get(where={"$and": [{"paper_id": paper_id}, {"kind": "chunk"}]},
                                           include=[], limit=1)
            return bool(found["ids"])
        return bool(self.view.refresh().rows(paper_id=paper_id, kind="chunk"))

    def get_paper(self, paper_id: str) -> Paper | None:
        if self._reads_from_store:
            with CHROMA_LOCK:
                found = self._passages.get(ids=[f"{paper_id}#abstract"], include=["documents", "metadatas"])
            if not found["ids"]:
                return None
            return _paper_from_metadata(found["metadatas"][0], found["documents"][0])
        view = self.view.refresh()
        rows = view.rows(paper_id=paper_id, kind="abstract")
        return _paper_from_metadata(view.metadatas[rows[0]], view.documents[rows[0]]) if rows else None

    def search_library(self, query: str, k: int = 20, filters: PaperFilter | None = None) -> list[tuple[Paper, Hit]]:
        """Papers in the library whose passages best match `query`, one (paper, best passage) per paper."""
        vector = None
        best: dict[str, Hit] = {}
        if self._reads_from_store:
            with CHROMA_LOCK:
                total = self._passages.count()
            if total == 0:
                return []
            vector = self.embedder.embed([query])
            with CHROMA_LOCK:
                result = self._passages.query(query_embeddings=vector, n_results=min(total, k * 4),
                                              where=filters.to_where() if filters else None,
                                              include=["distances", "documents", "metadatas"])
            rows = zip(result["distances"][0], result["documents"][0], result["metadatas"][0])
            hits = [(1.0 - dist, doc, meta) for dist, doc, meta in rows]
        else:
            view = self.view.refresh()
            if not view.ids:
                return []
            vector = self.embedder.embed([query])
            found = view.nearest(vector[0], k * 4, lambda meta: _accepts(filters, meta))
            hits = [(score, view.documents[row], view.metadatas[row]) for row, score in found]
        for score, doc, meta in hits:
            if meta["paper_id"] not in best:
                best[meta["paper_id"]] = Hit(paper_id=meta["paper_id"], score=score, text=doc, title=meta["title"],
                                             kind=meta.get("kind", "abstract"))
        papers = [self.get_paper(pid) for pid in list(best)[:k]]
        return [(paper, best[paper.id]) for paper in papers if paper is not None]

    def related_passages(self, text: str, exclude_paper_id: str, k: int) -> list[Hit]:
        """Passages from papers other than `exclude_paper_id`, most similar to `text` first."""
        if k <= 0:
            return []
        if self._reads_from_store:
            with CHROMA_LOCK:
                if self._passages.count() == 0:
                    return []
            vector = self.embedder.embed([text])
            with CHROMA_LOCK:
                result = self._passages.query(query_embeddings=vector, n_results=k,
                                              where={"paper_id": {"$ne": exclude_paper_id}},
                                              include=["distances", "documents", "metadatas"])
            rows = zip(result["distances"][0], result["documents"][0], result["metadatas"][0])
            return [Hit(paper_id=meta["paper_id"], score=1.0 - dist, text=doc, title=meta["title"],
                        kind=meta.get("kind", "abstract")) for dist, doc, meta in rows]
        view = self.view.refresh()
        if not view.ids:
            return []
        found = view.nearest(self.embedder.embed([text])[0], k, lambda meta: meta["paper_id"] != exclude_paper_id)
        return [Hit(paper_id=view.metadatas[row]["paper_id"], score=score, text=view.documents[row],
                    title=view.metadatas[row]["title"], kind=view.metadatas[row].get("kind", "abstract"))
                for row, score in found]

    def paper_chunks(self, paper_id: str, text: str, k: int) -> list[Hit]:
        """The full-text chunks of one paper most similar to `text` (none if it was not read in full)."""
        if k <= 0 or not paper_id or not self.has_full_text(paper_id):
            return []
        vector = self.embedder.embed([text])
        if self._reads_from_store:
            with CHROMA_LOCK:
                result = self._passages.query(
                    query_embeddings=vector, n_results=k,
                    where={"$and": [{"paper_id": paper_id}, {"kind": "chunk"}]},
                    include=["distances", "documents", "metadatas"])
            rows = zip(result["distances"][0], result["documents"][0], result["metadatas"][0])
            return [Hit(paper_id=paper_id, score=1.0 - dist, text=doc, title=meta["title"], kind="chunk")
                    for dist, doc, meta in rows]
        view = self.view.refresh()
        found = view.nearest(vector[0], k, lambda meta: meta["paper_id"] == paper_id and meta.get("kind") == "chunk")
        return [Hit(paper_id=paper_id, score=score, text=view.documents[row], title=view.metadatas[row]["title"],
                    kind="chunk") for row, score in found]

    def stored_texts(self, paper_id: str) -> list[str]:
        """Everything stored of one paper: its abstract and its full-text chunks."""
        if self._reads_from_store:
            with CHROMA_LOCK:
                found = self._passages.get(where={"paper_id": paper_id}, include=["documents"])
            return [doc for doc in found["documents"] if doc]
        view = self.view.refresh()
        return [view.documents[row] for row in view.rows(paper_id=paper_id) if view.documents[row]]

    def count_papers(self) -> int:
        if self._reads_from_store:
            with CHROMA_LOCK:
                return len(self._passages.get(where={"kind": "abstract"}, include=[])["ids"])
        return len(self.view.refresh().rows(kind="abstract"))
