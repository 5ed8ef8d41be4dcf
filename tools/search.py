"""Literature search: the bundled snapshot (BM25 and embeddings), the user's library, live arXiv when reachable.

How one question is ranked (the weights are chosen on the tuning half of the retrieval gold set,
`evals/retrieval/`, and measured on its held-out half by `python -m evals.search_bench`):

1. The question itself is scored against every snapshot paper twice, by BM25 and by embedding cosine, and
   the two rankings are fused by reciprocal rank. This is the backbone: the question carries every
   constraint the user wrote, including the rare exact terms (dataset, benchmark and model names) that
   BM25 matches and a small embedding model blurs.
2. Each planned keyword query is ranked the same way and joins the fusion with a weight for how specific
   it is: a query whose best BM25 scores are spread over a large share of the snapshot ("natural language
   processing") says little about the question and is dropped.
3. The library (papers indexed by the user or found on live arXiv before, that the snapshot does not hold:
   one ranking by each paper's best passage) and live arXiv (its own relevance order) join as further
   rankings. A snapshot paper read in an earlier run is not ranked twice.
4. So that papers from every source compete on the same terms, the pooled candidates are ranked once more
   against the question by BM25 over the pool and by embedding cosine, and those two rankings join too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from tools.arxiv_tool import ArxivError, ArxivTool
from tools.bm25 import BM25Index
from tools.library import PaperFilter, PaperLibrary
from tools.papers import Paper
from tools.snapshot import paper_document
from tools.snapshot_index import SnapshotIndex, snapshot_index

RRF_K = 60  # the usual reciprocal-rank-fusion constant
DEPTH = 100  # how deep each snapshot ranking goes into the fusion


@dataclass(frozen=True)
class RankingWeights:
    """Chosen on the tuning half of the gold set (`evals/README.md` has the figures of each variant)."""

    question: float = 2.0  # the question's rankings (snapshot, library, arXiv)
    planned: float = 0.5  # each planned query's, before its specificity discount
    library: float = 1.0  # a source's ranking relative to the snapshot's, for the same query
    arxiv: float = 1.0
    # The pool re-ranked against the question (BM25 over the pool; cosine): small, it only makes papers of
    # different sources comparable; larger, it repeats signals the fusion has and cost 0.015 recall@20.
    pool: float = 0.1
    feedback_docs: int = 5  # pseudo-relevance feedback: papers whose embeddings move the query (0: off)
    feedback_strength: float = 1.0
    # A planned query whose top BM25 band (scores within half of its best) holds more than this share of the
    # snapshot is generic, and is dropped. The 1.5B planner's queries are mostly generic: at 2% they cost
    # 0.01 recall@20 and 0.05 MRR; at 0.5% only the specific ones stay and they cost nothing.
    generic_share: float = 0.005


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K,
                           weights: list[float] | None = None) -> list[tuple[str, float]]:
    scores: dict[str, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking):
            scores[item] += weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _free_text(query: str) -> str:
    """A planner's keyword query as an arXiv search_query: field syntax and quotes taken out."""
    return " ".join(re.sub(r"[:()\"\[\]{}]", " ", query).split())


def query_specificity(lexical: np.ndarray, generic_share: float) -> float:
    """1 for a query whose best BM25 matches are few, falling to 0 for one whose top band (scores within half
    of its best) covers `generic_share` of the corpus or more."""
    best = float(lexical.max()) if lexical.size else 0.0
    if best <= 0:
        return 0.0
    share = float((lexical >= 0.5 * best).mean())
    return max(0.0, 1.0 - share / generic_share)


@dataclass
class SearchOutcome:
    papers: list[Paper]
    scores: dict[str, float]  # the final score each paper was ranked by
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class LiteratureSearch:
    def __init__(self, library: PaperLibrary, offline: bool, arxiv_tool: ArxivTool | None = None,
                 snapshot: SnapshotIndex | None = None, weights: RankingWeights = RankingWeights()) -> None:
        self.library = library
        self.offline = offline
        self.arxiv_tool = arxiv_tool
        self._snapshot = snapshot
        self.weights = weights
        self._live: bool | None = None
        self._offline_warning: str | None = None

    @property
    def snapshot(self) -> SnapshotIndex:
        if self._snapshot is None:
            self._snapshot = snapshot_index()
        return self._snapshot

    # -- which sources are available ------------------------------------------------------------
    def live_available(self) -> bool:
        if self.offline or self.arxiv_tool is None:
            return False
        if self._live is None:
            self._live = self.arxiv_tool.reachable()
            if not self._live:
                self._offline_warning = "arXiv is unreachable: searching the bundled offline snapshot and the library"
        return self._live

    def _drop_live(self, reason: str) -> None:
        self._live = False
        self._offline_warning = f"{reason}; continuing with the offline snapshot and the library"

    # -- the snapshot -----------------------------------------------------------------------------
    def snapshot_ranking(self, query: str, filters: PaperFilter | None = None, depth: int = DEPTH,
                         vector: np.ndarray | None = None) -> tuple[list[str], np.ndarray]:
        """The query's hybrid ranking of snapshot paper ids, and its BM25 scores. BM25 and embedding cosine
        are fused; with feedback on, the query vector is then moved towards the embeddings of the papers
        that fusion puts first (pseudo-relevance feedback), which finds papers phrased unlike the query."""
        snapshot = self.snapshot
        allowed = snapshot.allowed(filters)

        def ranking(scores: np.ndarray, positive: bool = False) -> list[str]:
            order = np.argsort(-scores, kind="stable")
            if allowed is not None:
                order = order[allowed[order]]
            if positive:
                order = order[scores[order] > 0]
            return [snapshot.ids[i] for i in order[:depth]]

        lexical = snapshot.lexical_scores(query)
        if vector is None:
            vector = self.library.embedder.embed([query])[0]
        rankings = [ranking(lexical, positive=True), ranking(snapshot.dense_scores(vector))]
        fused = [pid for pid, _ in reciprocal_rank_fusion(rankings)]
        w = self.weights
        if w.feedback_docs and fused:
            top = [snapshot.position[pid] for pid in fused[: w.feedback_docs]]
            moved = vector + w.feedback_strength * snapshot.vectors[top].mean(axis=0)
            rankings.append(ranking(snapshot.dense_scores(moved / np.linalg.norm(moved))))
            fused = [pid for pid, _ in reciprocal_rank_fusion(rankings)]
        return fused[:depth], lexical

    # -- one query, every source ------------------------------------------------------------------
    def rank_query(self, query: str, k: int, filters: PaperFilter | None, found: dict[str, Paper],
                   sources: set[str]) -> list[str]:
        """One query's fused ranking of paper ids over every source; fills `found` with the papers seen."""
        ranking, _ = self.snapshot_ranking(query, filters, depth=max(k, 1))
        rankings = [ranking]
        self._remember(ranking, found)
        sources.add("snapshot")
        rankings += [ranking for ranking, _ in self._other_sources(query, k, filters, found, sources)]
        return [pid for pid, _ in reciprocal_rank_fusion(rankings)][: k * 3]

    def _remember(self, ids: list[str], found: dict[str, Paper]) -> None:
        for pid in ids:
            if pid not in found:
                found[pid] = self.snapshot.paper_by_id(pid)

    def _other_sources(self, query: str, k: int, filters: PaperFilter | None, found: dict[str, Paper],
                       sources: set[str]) -> list[tuple[list[str], float]]:
        """(ranking, fusion weight) from the library and, when reachable, live arXiv."""
        rankings = []
        # Papers of the snapshot that a run read before are ranked by the snapshot already: ranked again here,
        # every paper read once would outrank the rest of the snapshot in every later search on that data dir.
        in_library = [(paper, score) for paper, score in self.library.search_library(query, k=k, filters=filters)
                      if paper.id not in self.snapshot.position]
        if in_library:
            rankings.append(([paper.id for paper, _ in in_library], self.weights.library))
            for paper, _ in in_library:
                found.setdefault(paper.id, paper)
            sources.add("library")
        if self.live_available():
            try:
                live = self.arxiv_tool.search(_free_text(query), max_results=k)
            except ArxivError as exc:
                self._drop_live(f"arXiv search failed ({exc})")
            else:
                live = [p for p in live if filters is None or filters.accepts(p)]
                rankings.append(([p.id for p in live], self.weights.arxiv))
                for paper in live:
                    found[paper.id] = found.get(paper.id) or paper
                sources.add("arxiv")
        return rankings

    def _pool_rankings(self, question: str, question_vector: np.ndarray, pool: list[Paper]) -> list[list[str]]:
        """The pool ranked against the question by BM25 (its IDF from the pool) and by embedding cosine."""
        if len(pool) < 2:
            return []
        documents = [paper_document(p) for p in pool]
        lexical = BM25Index([p.id for p in pool], documents).scores(question)
        snapshot = self.snapshot
        vectors = np.zeros((len(pool), snapshot.vectors.shape[1]), dtype=np.float32)
        known = [i for i, p in enumerate(pool) if p.id in snapshot.position]
        vectors[known] = snapshot.vectors[[snapshot.position[pool[i].id] for i in known]]
        unknown = [i for i, p in enumerate(pool) if p.id not in snapshot.position]
        if unknown:
            vectors[unknown] = self.library.embedder.embed([documents[i] for i in unknown])
        dense = vectors @ question_vector
        return [[pool[i].id for i in np.argsort(-scores, kind="stable")] for scores in (lexical, dense)]

    # -- a question with planned queries --------------------------------------------------------
    def search(self, queries: list[str], question: str, limit: int = 20,
               filters: PaperFilter | None = None) -> SearchOutcome:
        """The question's papers, best first. Every source (the snapshot's hybrid ranking, the library, live
        arXiv) ranks the question and each specific planned query; all those rankings are fused, the
        question's with the full weight and each planned query's discounted by how generic it is."""
        w = self.weights
        found: dict[str, Paper] = {}
        sources: set[str] = {"snapshot"}
        rankings: list[list[str]] = []
        weights: list[float] = []
        planned = [q for q in dict.fromkeys(q.strip() for q in queries) if q and q != question]
        question_vector = self.library.embedder.embed([question])[0]  # used again for the pool
        for query in [question, *planned]:
            ranking, lexical = self.snapshot_ranking(query, filters,
                                                     vector=question_vector if query == question else None)
            weight = w.question if query == question else w.planned * query_specificity(lexical, w.generic_share)
            if weight <= 0:
                continue
            self._remember(ranking, found)
            rankings.append(ranking)
            weights.append(weight)
            for other, source_weight in self._other_sources(query, limit, filters, found, sources):
                rankings.append(other)
                weights.append(weight * source_weight)
        pooled = [pid for pid, _ in reciprocal_rank_fusion(rankings, weights=weights)][: max(limit, DEPTH)]
        for ranking in self._pool_rankings(question, question_vector, [found[pid] for pid in pooled]):
            rankings.append(ranking)
            weights.append(w.pool)
        fused = reciprocal_rank_fusion(rankings, weights=weights)[:limit]
        warnings = [self._offline_warning] if self._offline_warning else []
        ordered_sources = [s for s in ("snapshot", "library", "arxiv") if s in sources]
        return SearchOutcome([found[pid] for pid, _ in fused], {pid: round(score, 5) for pid, score in fused},
                             ordered_sources, warnings)
