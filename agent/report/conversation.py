"""A report written from a chat conversation: the claims checked in it, their papers, and the last answer."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from agent.claims.citations import CLAIM_ID, cited_paper_ids
from agent.records import VERDICTS, VerifiedClaim
from agent.report.build import report_claim, usage_report
from agent.report.checks import computed_checks, is_verbatim
from agent.report.model import MethodSummary, ProviderInfo, Report, ReportPaper, Review
from agent.report.review import rubric
from agent.services import Services
from tools.embeddings import EMBEDDING_MODEL_NAME


def report_from_conversation(conversation: dict, services: Services, wall_seconds: float) -> Report:
    """`conversation`: the chat thread's state (messages, papers, claims)."""
    messages = conversation.get("messages", [])
    question = next((m["content"] for m in messages if m["role"] == "user"), "(no question)")
    answer = next((m["content"] for m in reversed(messages) if m["role"] == "assistant"), "")
    claims = [VerifiedClaim.model_validate(c) for c in conversation.get("claims", [])]
    ids = [c.id for c in claims]
    for number, claim in enumerate(claims, 1):  # the thread's own ids ("is C3 supported?"), when it has them
        claim.id = claim.id if CLAIM_ID.fullmatch(claim.id) and ids.count(claim.id) == 1 else f"C{number}"
    used = (
        {c.paper_id for c in claims} | {e.paper_id for c in claims for e in c.evidence} | set(cited_paper_ids(answer))
    )
    # the library, else the snapshot: a chat search writes nothing, so cited snapshot papers may not be stored
    papers = [p for p in (services.find_paper(pid) for pid in sorted(used)) if p is not None]
    texts = {p.id: services.library.stored_texts(p.id) for p in papers}
    verdicts = Counter(c.verdict for c in claims)
    report = Report(
        question=question,
        title=f"Chat report: {' '.join(question.split())[:120]}",
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        answer=answer,
        queries=[
            m.get("args", {}).get("query", "")
            for m in messages
            if m["role"] == "tool" and m.get("args", {}).get("query")
        ],
        method=MethodSummary(
            sub_questions=[],
            papers_found=len(conversation.get("papers", [])),
            papers_read=len(papers),
            papers_cited=len(papers),
            claims_extracted=len(claims),
            claims_verified=len(claims),
            verdicts={v: verdicts.get(v, 0) for v in VERDICTS},
            search_sources=["chat"],
            models={"llm": services.provider.model, "embeddings": EMBEDDING_MODEL_NAME},
        ),
        papers=[ReportPaper.of(p) for p in papers],
        claims=[
            report_claim(c, lambda pid, quote: is_verbatim(quote, texts.get(pid, [])) if quote else None)
            for c in claims
        ],
        review=Review(score=None, spread=None, rubric=rubric()),
        limitations=[
            "Written from a chat conversation: only the claims checked in it, no literature search plan "
            "and no review."
        ],
        usage=usage_report(services.tracker, wall_seconds, per_node=False),
        provider=ProviderInfo(
            name=services.provider.name,
            model=services.provider.model,
            calibrated=bool(claims) and all(c.calibrated for c in claims), judge=services.judge_name,
        ),
    )
    report.review.checks = computed_checks(report, len(claims),
                                           lambda pid, quote: is_verbatim(quote, texts.get(pid, [])))
    return report
