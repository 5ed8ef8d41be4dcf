"""The bundled offline arXiv snapshot: papers and their precomputed embeddings."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from tools.papers import Paper

DATA_DIR = Path(__file__).parent / "data"
SNAPSHOT_PATH = DATA_DIR / "arxiv_snapshot.jsonl.gz"
EMBEDDINGS_PATH = DATA_DIR / "arxiv_snapshot.embeddings.npz"


def paper_document(paper: Paper) -> str:
    """The text a paper is embedded and searched by."""
    return f"{paper.title}. {paper.abstract}"


def load_snapshot(path: Path = SNAPSHOT_PATH) -> list[Paper]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [Paper.model_validate_json(line) for line in handle if line.strip()]


@lru_cache(maxsize=1)
def snapshot_by_id() -> dict[str, Paper]:
    return {paper.id: paper for paper in load_snapshot()}
