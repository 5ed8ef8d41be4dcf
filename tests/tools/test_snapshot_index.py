"""The snapshot's own index: every bundled paper, exact dense scores, BM25 built once and loaded after."""

from tools.embeddings import default_embedder
from tools.library import PaperFilter
from tools.snapshot import load_snapshot
from tools.snapshot_index import SnapshotIndex


def test_the_index_covers_every_bundled_paper_and_finds_xtreme(tmp_path):
    index = SnapshotIndex(tmp_path)
    assert index.ids == [p.id for p in load_snapshot()]
    query = default_embedder().embed(["massively multilingual multi-task benchmark for cross-lingual generalization"])
    scores = index.dense_scores(query[0])
    assert "2003.11080" in [index.ids[i] for i in scores.argsort()[::-1][:10]]  # XTREME


def test_bm25_is_saved_once_and_loaded_by_the_next_process(tmp_path):
    first = SnapshotIndex(tmp_path).lexical_scores("PAWS-X paraphrase adversaries")
    saved = [p for p in tmp_path.iterdir() if p.name.startswith("bm25-")]
    assert len(saved) == 1 and (saved[0] / "ids.json").exists()
    again = SnapshotIndex(tmp_path)
    assert (again.lexical_scores("PAWS-X paraphrase adversaries") == first).all()
    assert again.ids[int(first.argmax())] == "1908.11828"


def test_filters_become_a_mask(tmp_path):
    index = SnapshotIndex(tmp_path)
    mask = index.allowed(PaperFilter(year_from=2025, categories=["cs.CL"]))
    assert mask.sum() > 100
    assert all(index.paper(i).year >= 2025 and "cs.CL" in index.paper(i).categories for i in mask.nonzero()[0])
    assert index.allowed(PaperFilter()) is None
