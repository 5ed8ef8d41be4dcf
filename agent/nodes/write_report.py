"""report: assemble `Report` from the run and write report.json, report.md (with figures) and report.html."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from langgraph.runtime import Runtime

from agent.citations import cited_paper_ids, drop_unknown_papers
from agent.nodes.common import Services, emit, tracked
from agent.nodes.review import rubric
from agent.nodes.synthesize import sorted_claims
from agent.records import VERDICTS, VerifiedClaim
from agent.report import (
    MethodSummary,
    NodeUsageReport,
    ProviderInfo,
    Report,
    ReportClaim,
    ReportEvidence,
    ReportPaper,
    Review,
    Reviewer,
    Usage,
)
from agent.report_checks import claim_standing, computed_checks, is_verbatim
from agent.report_files import write_report_files
from agent.state import ResearchState
from tools.embeddings import EMBEDDING_MODEL_NAME
from tools.papers import Paper


def _title(question: str) -> str:
    text = " ".join(question.split()).rstrip("?")
    return f"Literature report: {text}"


def _usage(services: Services) -> Usage:
    per_node = {name: NodeUsageReport(llm_calls=u.llm_calls, cached_calls=u.cached_calls, prompt_tokens=u.prompt_tokens,
                                      completion_tokens=u.completion_tokens, llm_seconds=round(u.llm_seconds, 2),
                                      wall_seconds=round(u.wall_seconds, 2))
                for name, u in sorted(services.tracker.per_node.items())}
    total = services.tracker.totals()
    return Usage(llm_calls=total.llm_calls, cached_calls=total.cached_calls, prompt_tokens=total.prompt_tokens, completion_tokens=total.completion_tokens,
                 wall_seconds=round(services.elapsed(), 2), per_node=per_node)


class PaperTexts:
    """The stored text of the run's papers (abstract, full-text chunks), read once each, for verbatim checks."""

    def __init__(self, known: dict[str, Paper], services: Services) -> None:
        self.known, self.services, self.cache = known, services, {}

    def texts(self, paper_id: str) -> list[str]:
        if paper_id not in self.cache:
            stored = self.services.library.stored_texts(paper_id)
            own = [self.known[paper_id].abstract] if paper_id in self.known else []
            self.cache[paper_id] = own + stored
        return self.cache[paper_id]

    def verbatim(self, paper_id: str, quote: str) -> bool | None:
        texts = self.texts(paper_id)
        return is_verbatim(quote, texts) if texts else None


def report_claim(c: VerifiedClaim, verbatim: Callable[[str, str], bool | None]) -> ReportClaim:
    """A verified claim as the report shows it, with its standing and whether its quote is verbatim."""
    return ReportClaim(
        id=c.id, text=c.text, paper_id=c.paper_id, quote=c.quote, kind=c.kind, verdict=c.verdict,
        confidence=c.confidence, calibrated=c.calibrated,
        evidence=[ReportEvidence(paper_id=e.paper_id, quote=e.quote, stance=e.stance, probabilities=e.probabilities,
                                 screened_out=e.screened_out) for e in c.evidence],
        also_in=c.also_in, standing=claim_standing(c.verdict, c.confidence, (e.stance for e in c.evidence)),
        quote_verbatim=verbatim(c.paper_id, c.quote),
    )


def _unanswered(services: Services) -> str:
    if services.budget_stop:
        return (f"This run stopped at {services.budget_stop} before an answer was written; the claims verified "
                "so far are below.")
    return ""


def _budget_note(services: Services) -> list[str]:
    if not services.budget_stop:
        return []
    steps = ", ".join(f"{name} ×{count}" for name, count in Counter(services.skipped).items())
    return [f"Partial report: the run stopped at {services.budget_stop}. Not done: {steps}."]


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


def build_report(state: ResearchState, services: Services) -> Report:
    claims = sorted_claims(state.get("verified", []))
    known = {p.id: p for p in state.get("papers", [])} | {p.id: p for p in state.get("candidates", [])}
    used_ids = {c.paper_id for c in claims} | {s.paper_id for c in claims for s in c.also_in} \
        | {e.paper_id for c in claims for e in c.evidence}
    answer_ids = set(cited_paper_ids(state.get("answer", "")))
    for paper_id in (used_ids | answer_ids) - set(known):
        paper = services.library.get_paper(paper_id)
        if paper is not None:
            known[paper_id] = paper
    answer, dropped = drop_unknown_papers(state.get("answer", "") or _unanswered(services), set(known))
    warnings = list(dict.fromkeys(state.get("warnings", [])))
    if dropped:
        warnings.append(f"the answer named papers that are in no reference ({', '.join(dropped)}); they were removed")
    cited_ids = used_ids | (answer_ids & set(known))
    papers = [ReportPaper(id=p.id, title=p.title, authors=p.authors, year=p.year, url=p.url)
              for pid, p in sorted(known.items()) if pid in cited_ids]
    texts = PaperTexts(known, services)
    reviewers = [Reviewer(**r) for r in state.get("reviews", [])]
    scores = [r.score for r in reviewers]
    verdicts = Counter(c.verdict for c in claims)
    provider = services.provider
    report = Report(
        question=state["question"], title=_title(state["question"]),
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        answer=answer, queries=state.get("queries", []),
        method=MethodSummary(
            sub_questions=state.get("sub_questions", []), papers_found=len(state.get("candidates", [])),
            papers_read=len(state.get("papers", [])), papers_cited=len(papers),
            claims_extracted=len(state.get("extracted", [])),
            claims_verified=len(claims), verdicts={v: verdicts.get(v, 0) for v in VERDICTS},
            search_sources=state.get("search_sources", []),
            models={"llm (planner, extractor, verifier, writer, reviewers)": provider.model,
                    "embeddings": EMBEDDING_MODEL_NAME},
        ),
        papers=papers,
        claims=[report_claim(c, texts.verbatim) for c in claims],
        experiments=state.get("experiments", []),
        review=Review(score=round(statistics.mean(scores), 2) if scores else None,
                      spread=round(statistics.pstdev(scores), 2) if scores else None,
                      rubric=rubric(), reviewers=reviewers),
        limitations=_budget_note(services) + screening_note(claims) + state.get("limitations", []),
        warnings=warnings,
        usage=_usage(services),
        provider=ProviderInfo(name=provider.name, model=provider.model,
                              calibrated=bool(claims) and all(c.calibrated for c in claims)),
    )
    report.review.checks = computed_checks(report, len(state.get("extracted", [])),
                                           lambda pid, quote: bool(texts.verbatim(pid, quote)))
    return report


@tracked("report")
def write_report(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    out_dir = Path(state.get("out_dir") or ".")
    report = build_report(state, services)
    write_report_files(report, out_dir)
    emit(runtime, stage="report", path=str(out_dir))
    return {"report_path": str(out_dir / "report.json")}
