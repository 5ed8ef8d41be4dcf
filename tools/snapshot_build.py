"""Build the bundled offline arXiv snapshot from the shared data folder.

    python -m tools.snapshot_build ../shared/data/arxiv

Reads the four metadata files described in that folder's SOURCE.txt, deduplicates by arXiv id
(version suffix ignored) and writes `tools/data/arxiv_snapshot.jsonl.gz`, one `Paper` per line.
Precedence when an id occurs in several files: the daily arXiv listings (arXiv's own casing and full
author lists) > the hand-assembled key papers > llm-bible (title-cased by its site, authors often
truncated). Papers with no abstract are left out: nothing can be quoted from them.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from tools.papers import Paper, normalize_arxiv_id

SNAPSHOT_PATH = Path(__file__).parent / "data" / "arxiv_snapshot.jsonl.gz"
EMBEDDINGS_PATH = Path(__file__).parent / "data" / "arxiv_snapshot.embeddings.npz"


def _year_from_id(arxiv_id: str) -> int | None:
    head = arxiv_id.split("/")[-1][:2]
    return 2000 + int(head) if head.isdigit() else None


def _from_daily(row: dict, source: str) -> Paper:
    return Paper(id=row["id"], title=row["title"], authors=row.get("authors") or [], abstract=row.get("abstract") or "",
                 categories=row.get("categories") or [], year=_year_from_id(row["id"]), source=source)


def _author_list(authors: str | list[str] | None) -> list[str]:
    if isinstance(authors, str):
        return [name.strip() for name in authors.split(",") if name.strip()]
    return list(authors or [])


def _from_key(row: dict) -> Paper:
    year = int(row["published"][:4]) if row.get("published") else _year_from_id(row["id"])
    return Paper(id=row["id"], title=row["title"] or "", authors=_author_list(row.get("authors")),
                 abstract=row.get("abstract") or "", categories=row.get("categories") or [], year=year,
                 source="key_papers.jsonl")


def _from_bible(row: dict) -> Paper | None:
    if not row.get("arxiv_id"):
        return None
    return Paper(
        id=row["arxiv_id"],
        title=row["title"],
        authors=_author_list(row.get("authors")),
        abstract=row.get("abstract") or "",
        year=row.get("year"),
        source="llm_bible.jsonl",
    )


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def build(source_dir: Path, out_path: Path = SNAPSHOT_PATH) -> dict[str, int]:
    papers: dict[str, Paper] = {}
    counts: dict[str, int] = {}

    def add(paper: Paper | None, label: str) -> None:
        if paper is None or not paper.abstract.strip() or not paper.title.strip():
            return
        key = normalize_arxiv_id(paper.id)
        if key not in papers:
            papers[key] = paper
            counts[label] = counts.get(label, 0) + 1

    for name in ("crosslingual.jsonl", "cs_cl_sample.jsonl"):
        for row in _read_jsonl(source_dir / name):
            add(_from_daily(row, name), name)
    for row in _read_jsonl(source_dir / "key_papers.jsonl"):
        add(_from_key(row), "key_papers.jsonl")
    for row in _read_jsonl(source_dir / "llm_bible.jsonl"):
        add(_from_bible(row), "llm_bible.jsonl")

    out_path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the gzip bytes identical across rebuilds of the same data.
    with open(out_path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        for paper in sorted(papers.values(), key=lambda p: p.id):
            handle.write((paper.model_dump_json() + "\n").encode("utf-8"))
    counts["total"] = len(papers)
    return counts


def build_embeddings(snapshot_path: Path = SNAPSHOT_PATH, out_path: Path = EMBEDDINGS_PATH) -> int:
    """Precompute the snapshot's embeddings (float16) so first use indexes in seconds, not minutes."""
    import numpy as np

    from tools.embeddings import EMBEDDING_MODEL_NAME, default_embedder
    from tools.snapshot import load_snapshot, paper_document

    papers = load_snapshot(snapshot_path)
    vectors = default_embedder().embed([paper_document(p) for p in papers], show_progress=True)
    np.savez_compressed(out_path, ids=np.array([p.id for p in papers]), vectors=vectors.astype(np.float16),
                        model=np.array(EMBEDDING_MODEL_NAME))
    return len(papers)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    source = Path(arguments[0] if arguments else "../shared/data/arxiv")
    print(json.dumps(build(source), indent=2))
    if "--embeddings" in sys.argv:
        print(f"embedded {build_embeddings()} papers into {EMBEDDINGS_PATH}")
