"""Reranking a pool against the question, with real MiniLM embeddings."""

import pytest

from tools.embeddings import default_embedder
from tools.papers import Paper
from tools.rerank import FUSION_WEIGHT, rerank


def _score(question, papers, fused=None):
    embedder = default_embedder()
    vectors = embedder.embed([f"{p.title}. {p.abstract}" for p in papers])
    return rerank(question, papers, vectors, embedder, fused or {})


def test_fused_rank_score_breaks_ties_by_its_weight():
    twin = dict(title="Adapters for transfer", abstract="Adapters help zero-shot transfer. They are small.")
    scores = _score("adapters for zero-shot transfer", [Paper(id="a", **twin), Paper(id="b", **twin)], {"b": 0.1})
    assert scores["b"] - scores["a"] == pytest.approx(FUSION_WEIGHT * 0.1, abs=1e-5)


def test_one_matching_sentence_and_exact_terms_lift_a_paper():
    on_topic = Paper(id="x", title="Multilingual benchmarks", abstract=(
        "We survey evaluation in NLP. Many datasets exist for English. "
        "On PAWS-X, paraphrase identification accuracy drops for Japanese and Korean."))
    off_topic = Paper(id="y", title="Multilingual benchmarks", abstract=(
        "We survey evaluation in NLP. Many datasets exist for English. Summaries are judged by humans."))
    scores = _score("PAWS-X paraphrase identification accuracy in Japanese", [off_topic, on_topic])
    assert scores["x"] > scores["y"]


def test_empty_pool():
    assert rerank("anything", [], None, default_embedder(), {}) == {}
