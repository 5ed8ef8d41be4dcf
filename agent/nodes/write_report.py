"""report: assemble `Report` from the run and write report.json and report.md."""

from __future__ import annotations

import os
import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from langgraph.runtime import Runtime

from agent.nodes.common import Services, emit, tracked
from agent.nodes.review import rubric
from agent.nodes.synthesize import sorted_claims
from agent.records import VERDICTS
from agent.render import render_markdown
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
from agent.state import ResearchState


def _title(question: str) -> str:
    text = " ".join(question.split()).rstrip("?")
    return f"Literature report: {text}"


def _usage(services: Services) -> Usage:
    per_node = {name: NodeUsageReport(llm_calls=u.llm_calls, prompt_tokens=u.prompt_tokens,
                                      completion_tokens=u.completion_tokens, llm_seconds=round(u.llm_seconds, 2),
                                      wall_seconds=round(u.wall_seconds, 2))
                for name, u in sorted(services.tracker.per_node.items())}
    total = services.tracker.totals()
    return Usage(llm_calls=total.llm_calls, prompt_tokens=total.prompt_tokens, completion_tokens=total.completion_tokens,
                 wall_seconds=round(services.elapsed(), 2), per_node=per_node)


def build_report(state: ResearchState, services: Services) -> Report:
    claims = sorted_claims(state.get("verified", []))
    cited_ids = {c.paper_id for c in claims} | {e.paper_id for c in claims for e in c.evidence}
    known = {p.id: p for p in state.get("papers", [])} | {p.id: p for p in state.get("candidates", [])}
    for paper_id in cited_ids - set(known):
        paper = services.library.get_paper(paper_id)
        if paper is not None:
            known[paper_id] = paper
    papers = [ReportPaper(id=p.id, title=p.title, authors=p.authors, year=p.year, url=p.url)
              for pid, p in sorted(known.items()) if pid in cited_ids]
    reviewers = [Reviewer(**r) for r in state.get("reviews", [])]
    scores = [r.score for r in reviewers]
    verdicts = Counter(c.verdict for c in claims)
    provider = services.provider
    return Report(
        question=state["question"], title=_title(state["question"]),
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        answer=state.get("answer", ""), queries=state.get("queries", []),
        method=MethodSummary(
            sub_questions=state.get("sub_questions", []), papers_found=len(state.get("candidates", [])),
            papers_read=len(state.get("papers", [])), claims_extracted=len(state.get("extracted", [])),
            claims_verified=len(claims), verdicts={v: verdicts.get(v, 0) for v in VERDICTS},
            search_sources=state.get("search_sources", []),
        ),
        papers=papers,
        claims=[ReportClaim(id=c.id, text=c.text, paper_id=c.paper_id, quote=c.quote, kind=c.kind, verdict=c.verdict,
                            confidence=c.confidence, calibrated=c.calibrated,
                            evidence=[ReportEvidence(paper_id=e.paper_id, quote=e.quote, stance=e.stance,
                                                     probabilities=e.probabilities) for e in c.evidence],
                            also_in=c.also_in)
                for c in claims],
        review=Review(score=round(statistics.mean(scores), 2) if scores else None,
                      spread=round(statistics.pstdev(scores), 2) if scores else None,
                      rubric=rubric(), reviewers=reviewers),
        limitations=state.get("limitations", []),
        warnings=list(dict.fromkeys(state.get("warnings", []))),
        usage=_usage(services),
        provider=ProviderInfo(name=provider.name, model=provider.model,
                              calibrated=bool(claims) and all(c.calibrated for c in claims)),
    )


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@tracked("report")
def write_report(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    out_dir = Path(state.get("out_dir") or ".")
    out_dir.mkdir(parents=True, exist_ok=True)
    report = build_report(state, services)
    write_atomically(out_dir / "report.json", report.model_dump_json(indent=2) + "\n")
    write_atomically(out_dir / "report.md", render_markdown(report))
    emit(runtime, stage="report", path=str(out_dir))
    return {"report_path": str(out_dir / "report.json")}
