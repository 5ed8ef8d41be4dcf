"""The library on a real Chroma store on disk, with real MiniLM embeddings."""

import pytest

from agent.errors import ConfigError
from tools.embeddings import default_embedder
from tools.library import PaperLibrary
from tools.papers import Paper
from tools.snapshot import load_snapshot


def _papers():
    return [
        Paper(id="2401.00001v2", title="Cross-lingual transfer with adapters",
              authors=["A. One"], year=2024, abstract="Adapters improve zero-shot cross-lingual transfer on XNLI by 2 points."),
        Paper(id="2401.00002", title="Tokenization for low-resource languages", authors=["B. Two"], year=2024,
              abstract="Vocabulary overlap predicts zero-shot transfer to low-resource languages."),
        Paper(id="2401.00003", title="Protein folding", authors=["C. Three"], year=2023,
              abstract="We predict protein structures from sequences."),
    ]


def test_add_get_and_related_passages_exclude_the_source(tmp_path):
    library = PaperLibrary(tmp_path / "chroma", default_embedder())
    assert library.add_papers(_papers()) == 3
    assert library.add_papers(_papers()) == 0, "papers are deduplicated by id"
    paper = library.get_paper("2401.00001")
    assert paper.title == "Cross-lingual transfer with adapters" and paper.authors == ["A. One"] and paper.year == 2024
    related = library.related_passages("zero-shot cross-lingual transfer", exclude_paper_id="2401.00001", k=2)
    assert [hit.paper_id for hit in related][0] == "2401.00002"
    assert all(hit.paper_id != "2401.00001" for hit in related)
    assert library.count_papers() == 3


def test_library_persists_between_clients(tmp_path):
    PaperLibrary(tmp_path / "chroma", default_embedder()).add_papers(_papers()[:1])
    reopened = PaperLibrary(tmp_path / "chroma", default_embedder())
    assert reopened.get_paper("2401.00001") is not None


def test_snapshot_index_uses_every_bundled_paper(data_dir):
    library = PaperLibrary(data_dir / "chroma", default_embedder())
    assert library.snapshot.count() == len(load_snapshot())
    hits = library.search_snapshot("massively multilingual multi-task benchmark for cross-lingual generalization", k=10)
    assert "2003.11080" in [hit.paper_id for hit in hits]  # XTREME


def test_unusable_store_is_a_clear_error(tmp_path):
    blocker = tmp_path / "chroma"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(ConfigError, match="cannot open the Chroma library"):
        PaperLibrary(blocker, default_embedder())
