from tools.search import LiteratureSearch, reciprocal_rank_fusion
from tools.snapshot import load_snapshot


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "a"], ["b"]])
    assert [item for item, _ in fused] == ["b", "a", "c"]


def test_snapshot_has_unique_ids_and_no_empty_abstracts():
    papers = load_snapshot()
    assert len({p.id for p in papers}) == len(papers) > 8000
    assert all(p.abstract.strip() and p.title.strip() for p in papers)
    assert all("v" not in p.id.split(".")[-1] for p in papers if "." in p.id)


def test_offline_search_finds_the_cross_lingual_benchmarks(scripted_services):
    search = LiteratureSearch(scripted_services.library, offline=True)
    outcome = search.search(["XTREME benchmark cross-lingual generalization", "zero-shot cross-lingual transfer"],
                            "How well do multilingual encoders transfer zero-shot across languages?", limit=10)
    ids = [p.id for p in outcome.papers]
    assert len(ids) == 10 == len(set(ids))
    assert "2003.11080" in ids
    assert outcome.sources == ["snapshot"] and outcome.warnings == []
    assert list(outcome.scores) == ids
