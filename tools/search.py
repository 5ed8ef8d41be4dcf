"""Literature search: hybrid offline ranking, the user's library, live arXiv when reachable.

For one query, the bundled snapshot is ranked twice, by embeddings and by BM25, and the two fused by
reciprocal rank; that ranking is fused with the library's (papers ranked by their best passage) and
live arXiv's own relevance order when it is reachable. For a question with planned queries, every
query's fused ranking is fused again, and the pooled candidates are reranked against the question
itself (`tools/rerank.py`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from tools.arxiv_tool import ArxivError, ArxivTool
from tools.bm25 import BM25Index, snapshot_bm25
from tools.library import PaperFilter, PaperLibrary
from tools.papers import Paper
from tools.rerank import rerank as rerank_pool
from tools.snapshot import snapshot_by_id

RRF_K = 60  # the usual reciprocal-rank-fusion constant
# How many of the question's own candidates are reranked (the gold set's recall at 100 is about 0.85).
QUESTION_DEPTH = 100


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] += 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _free_text(query: str) -> str:
    """A planner's keyword query as an arXiv search_query: field syntax and quotes taken out."""
    return " ".join(re.sub(r"[:()\"\[\]{}]", " ", query).split())


@dataclass
class SearchOutcome:
    papers: list[Paper]
    scores: dict[str, float]  # the final score each paper was ranked by
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class LiteratureSearch:
    def __init__(self, library: PaperLibrary, offline: bool, arxiv_tool: ArxivTool | None = None,
                 bm25: Callable[[], BM25Index] = snapshot_bm25) -> None:
        self.library = library
        self.offline = offline
        self.arxiv_tool = arxiv_tool
        self._bm25 = bm25
        self._live: bool | None = None
        self._offline_warning: str | None = None

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

    # -- one query ----------------------------------------------------------------------------
    def rank_query(self, query: str, k: int, filters: PaperFilter | None,
                   found: dict[str, Paper], sources: set[str]) -> list[str]:
        """One query's fused ranking of paper ids; fills `found` with the papers seen."""
        snapshot = snapshot_by_id()
        rankings: list[list[str]] = []
        dense = [hit.paper_id for hit in self.library.search_snapshot(query, k=k, filters=filters)]
        lexical = [pid for pid, _ in self._bm25().search(query, k=k * 3)
                   if filters is None or filters.accepts(snapshot[pid])][:k]
        # Dense and lexical are fused first, so the snapshot gets one vote like every other source.
        rankings.append([pid for pid, _ in reciprocal_rank_fusion([dense, lexical])])
        for pid in dense + lexical:
            found.setdefault(pid, snapshot[pid])
        sources.add("snapshot")
        in_library = self.library.search_library(query, k=k, filters=filters)
        if in_library:
            rankings.append([paper.id for paper, _ in in_library])
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
                rankings.append([p.id for p in live])
                for paper in live:
                    found[paper.id] = found.get(paper.id) or paper
                sources.add("arxiv")
        return [pid for pid, _ in reciprocal_rank_fusion(rankings)][: k * 3]

    # -- a question with planned queries --------------------------------------------------------
    def search(self, queries: list[str], question: str, k_per_query: int = 20, limit: int = 20,
               filters: PaperFilter | None = None, rerank: bool = True) -> SearchOutcome:
        """Rank every query (the question itself first, deeper), fuse, then rerank the pool against the question."""
        found: dict[str, Paper] = {}
        sources: set[str] = set()
        planned = [q for q in dict.fromkeys(queries) if q != question]
        question_ranking = self.rank_query(question, max(k_per_query, QUESTION_DEPTH * 3 // 5), filters, found, sources)
        rankings = [question_ranking] + [self.rank_query(q, k_per_query, filters, found, sources) for q in planned]
        fused = dict(reciprocal_rank_fusion(rankings))
        warnings = [self._offline_warning] if self._offline_warning else []
        ordered_sources = [s for s in ("snapshot", "library", "arxiv") if s in sources]
        if not rerank:
            chosen = list(fused)[:limit]
            return SearchOutcome([found[pid] for pid in chosen], {pid: round(fused[pid], 5) for pid in chosen},
                                 ordered_sources, warnings)
        # The pool: the question's own candidates, deep, plus what the planned queries agree on.
        pool_ids = list(dict.fromkeys([*question_ranking[:QUESTION_DEPTH], *list(fused)[: limit * 2]]))
        pool = [found[pid] for pid in pool_ids]
        scores = rerank_pool(question, pool, self.library.paper_vectors(pool), self.library.embedder, fused)
        chosen = sorted(scores, key=lambda pid: (-scores[pid], pid))[:limit]
        return SearchOutcome([found[pid] for pid in chosen], {pid: round(scores[pid], 4) for pid in chosen},
                             ordered_sources, warnings)
