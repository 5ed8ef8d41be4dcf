"""Pieces every report is built from, whichever run it comes from (a research run or a chat thread): claims as
the report shows them, usage, and the limitations computed from the run."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from agent.claims.verdicts import claim_standing
from agent.records import VerifiedClaim
from agent.report.checks import is_verbatim
from agent.report.model import NodeUsageReport, ReportClaim, ReportEvidence, Usage
from tools.library import PaperLibrary
from tools.llm.base import UsageTracker
from tools.papers import Paper


class PaperTexts:
    """The stored text of the run's papers (abstract, full-text chunks), read once each, for verbatim checks."""

    def __init__(self, known: dict[str, Paper], library: PaperLibrary) -> None:
        self.known, self.library, self.cache = known, library, {}

    def texts(self, paper_id: str) -> list[str]:
        if paper_id not in self.cache:
            stored = self.library.stored_texts(paper_id)
            own = [self.known[paper_id].abstract] if paper_id in self.known else []
            self.cache[paper_id] = own + stored
        return self.cache[paper_id]

    def verbatim(self, paper_id: str, quote: str) -> bool | None:
        texts = self.texts(paper_id)
        return is_verbatim(quote, texts) if texts else None


def report_claim(c: VerifiedClaim, verbatim: Callable[[str, str], bool | None]) -> ReportClaim:
    """A verified claim as the report shows it, with its standing and whether its quote is verbatim."""
    return ReportClaim(
        id=c.id, text=c.text, paper_id=c.paper_id, quote=c.quote, kind=c.kind, relevance=c.relevance,
        relevance_score=c.relevance_score, faithfulness=c.faithfulness, rewritten_from=c.rewritten_from,
        verdict=c.verdict, confidence=c.confidence, calibrated=c.calibrated,
        evidence=[ReportEvidence(paper_id=e.paper_id, quote=e.quote, stance=e.stance, probabilities=e.probabilities,
                                 is_source=e.is_source, same_subject=e.same_subject, screened_out=e.screened_out)
                  for e in c.evidence],
        also_in=c.also_in, standing=claim_standing(c),
        quote_verbatim=verbatim(c.paper_id, c.quote),
    )


def usage_report(tracker: UsageTracker, wall_seconds: float, per_node: bool = True) -> Usage:
    """Calls, tokens and time of the run, in total and (by default) per node."""
    nodes = {name: NodeUsageReport(llm_calls=u.llm_calls, cached_calls=u.cached_calls, prompt_tokens=u.prompt_tokens,
                                   completion_tokens=u.completion_tokens, llm_seconds=round(u.llm_seconds, 2),
                                   wall_seconds=round(u.wall_seconds, 2))
             for name, u in sorted(tracker.per_node.items())} if per_node else {}
    total = tracker.totals()
    return Usage(llm_calls=total.llm_calls, cached_calls=total.cached_calls if per_node else 0,
                 prompt_tokens=total.prompt_tokens, completion_tokens=total.completion_tokens,
                 wall_seconds=round(wall_seconds, 2), per_node=nodes)


def budget_note(stopped_by: str | None, skipped: list[str]) -> list[str]:
    """The first limitation of a run a budget ended: which budget, and the steps not done."""
    if not stopped_by:
        return []
    steps = ", ".join(f"{name} ×{count}" for name, count in Counter(skipped).items())
    return [f"Partial report: the run stopped at {stopped_by}. Not done: {steps}."]


def screening_note(claims: list[VerifiedClaim]) -> list[str]:
    """A limitation naming the papers whose text addressed an AI system (removed before judging)."""
    screened: dict[str, set[str]] = {}
    for claim in claims:
        for evidence in claim.evidence:
            if evidence.screened_out:
                screened.setdefault(evidence.paper_id, set()).update(evidence.screened_out)
    if not screened:
        return []
    papers = ", ".join(f"arXiv:{pid}" for pid in sorted(screened))
    count = sum(len(sentences) for sentences in screened.values())
    return [f"Text addressed to AI systems was found in {papers} ({count} sentence(s)); it was removed before "
            "the claims were judged and is listed with the evidence in report.json."]
