"""report: assemble the `Report` of the run and write report.json, report.md (with figures) and report.html."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from langgraph.runtime import Runtime

from agent.claims.answer import sorted_claims
from agent.claims.citations import cited_paper_ids, drop_unknown_papers
from agent.graphs.context import RunBudget, run_context
from agent.graphs.events import ReportEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked
from agent.records import VERDICTS
from agent.report.build import PaperTexts, budget_note, report_claim, screening_note, usage_report
from agent.report.checks import computed_checks
from agent.report.files import write_report_files
from agent.report.model import (
    CriterionScore,
    MethodSummary,
    ProviderInfo,
    Report,
    ReportPaper,
    Review,
    UntestableClaim,
)
from agent.report.review import rubric
from agent.services import Services
from tools.embeddings import EMBEDDING_MODEL_NAME
from tools.papers import Paper


def _title(question: str) -> str:
    text = " ".join(question.split()).rstrip("?")
    return f"Literature report: {text}"


def _unanswered(budget: RunBudget) -> str:
    if budget.stopped_by:
        return (f"This run stopped at {budget.stopped_by} before an answer was written; the claims verified "
                "so far are below.")
    return ""


def _with_users_entry(paper: Paper, services: Services) -> Paper:
    """The paper with the BibTeX entry the user's library holds for it (`agent index --bib`), so its
    reference keeps the user's key: search finds a snapshot paper under the snapshot's record."""
    if paper.bib_entry:
        return paper
    stored = services.library.get_paper(paper.id)
    return paper.model_copy(update={"bib_entry": stored.bib_entry}) if stored and stored.bib_entry else paper


def build_report(state: ResearchState, services: Services, budget: RunBudget) -> Report:
    claims = sorted_claims(state.get("verified", []))
    known = {p.id: p for p in state.get("papers", [])} | {p.id: p for p in state.get("candidates", [])}
    used_ids = {c.paper_id for c in claims} | {s.paper_id for c in claims for s in c.also_in} \
        | {e.paper_id for c in claims for e in c.evidence}
    answer_ids = set(cited_paper_ids(state.get("answer", "")))
    for paper_id in (used_ids | answer_ids) - set(known):
        paper = services.library.get_paper(paper_id)
        if paper is not None:
            known[paper_id] = paper
    answer, dropped = drop_unknown_papers(state.get("answer", "") or _unanswered(budget), set(known))
    warnings = list(dict.fromkeys(state.get("warnings", [])))
    if dropped:
        warnings.append(f"the answer named papers that are in no reference ({', '.join(dropped)}); they were removed")
    cited_ids = used_ids | (answer_ids & set(known))
    papers = [ReportPaper.of(_with_users_entry(p, services)) for pid, p in sorted(known.items()) if pid in cited_ids]
    texts = PaperTexts(known, services.library)
    criteria = [CriterionScore(**r) for r in state.get("reviews", [])]
    tested = {e.claim_id: e for e in state.get("claim_evidence", [])}  # beside the literature, not merged into it
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
            models={"llm (planner, extractor, verifier, writer, reviewer)": provider.model,
                    "verifier's judge": services.judge_description, "embeddings": EMBEDDING_MODEL_NAME},
        ),
        papers=papers,
        claims=[report_claim(c, texts.verbatim).model_copy(update={"experiment": tested.get(c.id)}) for c in claims],
        experiments=state.get("experiments", []),
        untestable=[UntestableClaim(claim_id=n.claim_id, reason=n.reason) for n in state.get("claims_untestable", [])],
        review=Review(score=round(statistics.mean(c.score for c in criteria), 2) if criteria else None,
                      spread=round(statistics.mean(c.spread for c in criteria), 2) if criteria else None,
                      rubric=rubric(), criteria=criteria),
        limitations=budget_note(budget.stopped_by, budget.skipped) + screening_note(claims)
        + state.get("limitations", []),
        warnings=warnings,
        usage=usage_report(services.tracker, budget.elapsed()),
        provider=ProviderInfo(name=provider.name, model=provider.model, judge=services.judge_name,
                              calibrated=bool(claims) and all(c.calibrated for c in claims)),
    )
    report.review.checks = computed_checks(report, len(state.get("extracted", [])),
                                           lambda pid, quote: bool(texts.verbatim(pid, quote)),
                                           state.get("answer_check"))
    return report


@tracked("report")
def report(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    # a run started through the LangGraph server (Studio) names no directory: the data directory's reports/
    out_dir = Path(state.get("out_dir") or services.settings.reports_dir / datetime.now().strftime("%Y%m%d-%H%M%S"))
    write_report_files(build_report(state, services, run_context(runtime).budget), out_dir)
    emit(runtime, ReportEvent(stage="report", path=str(out_dir)))
    return {"report_path": str(out_dir / "report.json")}
