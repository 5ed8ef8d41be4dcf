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
    outcome = search.search(
        ["XTREME benchmark cross-lingual generalization", "zero-shot cross-lingual transfer"],
        "Which benchmarks evaluate how well multilingual encoders generalize across languages?",
        limit=10,
    )
    ids = [p.id for p in outcome.papers]
    assert len(ids) == 10 == len(set(ids))
    assert "2003.11080" in ids
    # other tests of the session put papers into the shared library, so it may be a source too
    assert outcome.sources[0] == "snapshot" and "arxiv" not in outcome.sources and outcome.warnings == []
    assert list(outcome.scores) == ids


# -- hybrid ranking, filters, the library and live arXiv -------------------------------------------
from tests.support.arxiv_server import ArxivFixtureServer  # noqa: E402
from tools.arxiv_tool import ArxivTool  # noqa: E402
from tools.bm25 import snapshot_bm25  # noqa: E402
from tools.library import PaperFilter  # noqa: E402
from tools.papers import Paper  # noqa: E402
from tools.snapshot import snapshot_by_id  # noqa: E402


def test_done_criterion_self_augmentation_query_finds_salt_in_top_5(scripted_services):
    search = LiteratureSearch(scripted_services.library, offline=True)
    outcome = search.search([], "self-augmentation zero-shot cross-lingual transfer", limit=5)
    assert "2309.10891" in [p.id for p in outcome.papers]


def test_bm25_ranks_rare_exact_terms():
    hits = snapshot_bm25().search("PAWS-X paraphrase adversaries word scrambling", k=5)
    assert hits[0][0] == "1908.11828"  # the PAWS-X paper
    assert all(score > 0 for _, score in hits)
    assert snapshot_bm25().search("the of and", k=5) == [], "stop words alone match nothing"


def test_hybrid_ranking_fuses_lexical_and_dense(scripted_services):
    search = LiteratureSearch(scripted_services.library, offline=True)
    snapshot = search.snapshot
    scores = snapshot.dense_scores(scripted_services.library.embedder.embed(["PAWS-X"])[0])
    dense = [snapshot.ids[i] for i in scores.argsort()[::-1][:20]]
    hybrid = search.rank_query("PAWS-X", 20, None, {}, set())
    # The dataset name is a rare token: BM25 puts its paper first, and fusion keeps it near the top.
    assert "1908.11828" in hybrid[:3]
    assert set(hybrid) >= set(dense[:5])


def test_filters_restrict_year_and_category(scripted_services):
    search = LiteratureSearch(scripted_services.library, offline=True)
    filters = PaperFilter(year_from=2023, categories=["cs.CL"])
    outcome = search.search(["zero-shot cross-lingual transfer"], "cross-lingual transfer", limit=15,
                            filters=filters)
    assert len(outcome.papers) == 15
    assert all(p.year >= 2023 and "cs.CL" in p.categories for p in outcome.papers)
    assert PaperFilter(year_to=2019).to_where() == {"year": {"$lte": 2019}}
    assert PaperFilter(categories=["cs.CL", "cs.LG"]).to_where() == {
        "$or": [{"categories": {"$contains": "cs.CL"}}, {"categories": {"$contains": "cs.LG"}}]}


def test_papers_in_the_library_are_found(tmp_path, scripted_services):
    from tools.library import PaperLibrary

    library = PaperLibrary(tmp_path / "chroma", scripted_services.library.embedder)
    mine = Paper(id="2611.99999", title="Glossolalia transfer for Klingon dependency parsing", year=2026,
                 abstract="We transfer Klingon dependency parsers zero-shot from English treebanks.")
    library.add_papers([mine])
    outcome = LiteratureSearch(library, offline=True).search([], "Klingon dependency parsing", limit=5)
    assert outcome.papers[0].id == "2611.99999"
    assert "library" in outcome.sources


def test_snapshot_papers_read_before_are_not_ranked_twice(tmp_path, scripted_services):
    """A data directory used for many runs holds the papers they read; they must not crowd out the rest."""
    from tools.library import PaperLibrary

    question = "Which multi-task benchmarks evaluate the cross-lingual generalization of multilingual encoders?"
    fresh = LiteratureSearch(PaperLibrary(tmp_path / "fresh", scripted_services.library.embedder), offline=True)
    before = [p.id for p in fresh.search([], question, limit=10).papers]
    used = PaperLibrary(tmp_path / "used", scripted_services.library.embedder)
    read_before = [snapshot_by_id()[pid] for pid in ("2309.10891", "2005.00633", "2106.16171", "2505.24834")]
    used.add_papers(read_before)
    after = [p.id for p in LiteratureSearch(used, offline=True).search([], question, limit=10).papers]
    assert after == before, "the same ranking whatever earlier runs read"


def test_live_arxiv_results_are_fused_with_the_snapshot(scripted_services, tmp_path):
    with ArxivFixtureServer() as server:
        tool = ArxivTool(tmp_path / "cache", delay_seconds=0.01, max_retries=1, timeout=2, backoff_seconds=0.01,
                         endpoint=server.endpoint)
        search = LiteratureSearch(scripted_services.library, offline=False, arxiv_tool=tool)
        found: dict = {}
        sources: set = set()
        ranking = search.rank_query("testing", 10, None, found, sources)
    assert {"snapshot", "arxiv"} <= sources
    live = [pid for pid in ranking if found[pid].source == "arxiv"]
    assert len(live) >= 5, "the recorded arXiv page is part of the fused ranking"
    assert server.params("search_query") == ["testing"]


def test_unreachable_arxiv_falls_back_with_one_warning(scripted_services, tmp_path):
    tool = ArxivTool(tmp_path / "cache", endpoint="http://127.0.0.1:9/api/query?{}", timeout=0.5)
    search = LiteratureSearch(scripted_services.library, offline=False, arxiv_tool=tool)
    outcome = search.search(["cross-lingual transfer"], "zero-shot cross-lingual transfer", limit=5)
    assert len(outcome.papers) == 5 and "arxiv" not in outcome.sources
    assert outcome.warnings == ["arXiv is unreachable: searching the bundled offline snapshot and the library"]


def test_failing_arxiv_mid_search_degrades_to_the_snapshot(scripted_services, tmp_path):
    with ArxivFixtureServer() as server:
        server.inject(status=503, times=10)
        tool = ArxivTool(tmp_path / "cache", delay_seconds=0.01, max_retries=1, timeout=1, backoff_seconds=0.01,
                         endpoint=server.endpoint)
        search = LiteratureSearch(scripted_services.library, offline=False, arxiv_tool=tool)
        outcome = search.search(["more queries", "and more"], "testing", limit=5)
    assert len(outcome.papers) == 5 and "arxiv" not in outcome.sources
    assert len(outcome.warnings) == 1 and "arXiv search failed" in outcome.warnings[0]
    assert len(server.requests) == 2, "after arXiv fails once, later queries do not retry it"
