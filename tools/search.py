"""Literature search: live arXiv when reachable, the bundled snapshot always; merged by rank fusion."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tools.arxiv_live import ArxivSearchTool, ArxivUnavailable, arxiv_reachable
from tools.library import PaperLibrary
from tools.papers import Paper
from tools.snapshot import snapshot_by_id

RRF_K = 60  # the usual reciprocal-rank-fusion constant


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] += 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass
class SearchOutcome:
    papers: list[Paper]
    scores: dict[str, float]
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class LiteratureSearch:
    def __init__(self, library: PaperLibrary, offline: bool, arxiv_tool: ArxivSearchTool | None = None) -> None:
        self.library = library
        self.offline = offline
        self.arxiv_tool = arxiv_tool
        self._live_checked = False
        self._live_ok = False

    def _live_available(self) -> bool:
        if self.offline:
            return False
        if not self._live_checked:
            self._live_ok = arxiv_reachable()
            self._live_checked = True
        return self._live_ok

    def search(self, queries: list[str], question: str, k_per_query: int = 20, limit: int = 20) -> SearchOutcome:
        """Run every query, fuse the rankings, then rerank the fused pool against the question."""
        rankings: list[list[str]] = []
        found: dict[str, Paper] = {}
        warnings: list[str] = []
        sources = ["snapshot"]
        snapshot = snapshot_by_id()
        live = self._live_available()
        if not live and not self.offline:
            warnings.append("arXiv is unreachable: searching the bundled offline snapshot only")
        for query in [question, *queries]:
            hits = self.library.search_snapshot(query, k=k_per_query)
            rankings.append([hit.paper_id for hit in hits])
            for hit in hits:
                found.setdefault(hit.paper_id, snapshot[hit.paper_id])
            if live:
                try:
                    papers = (self.arxiv_tool or ArxivSearchTool()).search(query, k=k_per_query)
                except ArxivUnavailable as exc:
                    warnings.append(f"{exc}; continuing with the offline snapshot")
                    live = False
                    continue
                rankings.append([p.id for p in papers])
                for paper in papers:
                    found.setdefault(paper.id, paper)
                if "arxiv" not in sources:
                    sources.append("arxiv")
        fused = dict(reciprocal_rank_fusion(rankings))
        # Every query's best hit stays in: the plan's queries cover different angles of the question.
        must_keep = list(dict.fromkeys(ranking[0] for ranking in rankings if ranking))[:limit]
        pool_ids = list(dict.fromkeys([*list(fused)[: limit * 3], *must_keep]))
        pool = [found[pid] for pid in pool_ids]
        # Rerank the pool against the question itself: cosine similarity + 10 x RRF score.
        question_vec = self.library.embedder.embed([question])[0]
        similarity = dict(zip(pool_ids, (self.library.paper_vectors(pool) @ question_vec).tolist()))
        combined = {pid: similarity[pid] + 10 * fused[pid] for pid in pool_ids}
        rest = [pid for pid in sorted(combined, key=lambda pid: (-combined[pid], pid)) if pid not in must_keep]
        chosen = sorted(must_keep + rest[: limit - len(must_keep)], key=lambda pid: (-combined[pid], pid))
        papers = [found[pid] for pid in chosen]
        scores = {pid: round(similarity[pid], 4) for pid in chosen}
        return SearchOutcome(papers=papers, scores=scores, sources=sources, warnings=warnings)
