"""Checks computed from a run, not judged by a model: the claims table's order, verbatim quotes, citations."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

from agent.claims.citations import cited_claim_ids, cited_paper_ids, claim_number
from agent.report.model import ComputedChecks, Report, ReportClaim, Share

_RELEVANCE_ORDER = {"direct": 0, "related": 1, "background": 2}
_STANDING_ORDER = {"corroborated": 0, "contested": 1, "single-source": 2}


def table_order(claims: list[ReportClaim]) -> list[ReportClaim]:
    """Claims about the question first (direct, related, background); within each, corroborated, then contested,
    then single-source claims, the most confident first."""
    return sorted(claims, key=lambda c: (_RELEVANCE_ORDER[c.relevance], _STANDING_ORDER[c.standing], -c.confidence,
                                         claim_number(c.id)))


def _normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def is_verbatim(quote: str, texts: Iterable[str]) -> bool:
    """The quote occurs in one of the texts, up to Unicode normal form and runs of whitespace."""
    needle = _normalized(quote)
    return bool(needle) and any(needle in _normalized(text) for text in texts)


def cited_by_answer(report: Report) -> set[str]:
    """Papers the answer cites: by paper id, or through a cited claim's source and its duplicates."""
    by_id = {c.id: c for c in report.claims}
    papers = set(cited_paper_ids(report.answer))
    for claim_id in cited_claim_ids(report.answer):
        if claim_id in by_id:
            papers |= {by_id[claim_id].paper_id, *(s.paper_id for s in by_id[claim_id].also_in)}
    return papers


def computed_checks(
    report: Report, claims_extracted: int, evidence_verbatim: Callable[[str, str], bool],
    answer_check: dict | None = None,
) -> ComputedChecks:
    claims = report.claims
    checked = [c for c in claims if c.quote_verbatim is not None]
    evidence = [e for c in claims for e in c.evidence]
    references = {p.id for p in report.papers}
    cited_claims = cited_claim_ids(report.answer)
    cited_papers = cited_paper_ids(report.answer)
    resolved = sum(cid in {c.id for c in claims} for cid in cited_claims) + sum(p in references for p in cited_papers)
    return ComputedChecks(
        claims_with_verbatim_quote=Share.of(sum(bool(c.quote_verbatim) for c in checked), len(claims)),
        evidence_quotes_verbatim=Share.of(sum(evidence_verbatim(e.paper_id, e.quote) for e in evidence), len(evidence)),
        references_cited_in_answer=Share.of(len(references & cited_by_answer(report)), len(references)),
        claims_verified=Share.of(len(claims), max(claims_extracted, len(claims))),
        answer_citations_resolved=Share.of(resolved, len(cited_claims) + len(cited_papers)),
        answer_sentences_citing_claims=Share.of(answer_check["citing"], answer_check["sentences"])
        if answer_check else None,
        answer_citation_precision=Share.of(answer_check["entailed"], answer_check["citing"])
        if answer_check else None,
    )


def citation_problems(report: Report) -> list[str]:
    """Everything that breaks "every citation has a reference and every reference is cited"."""
    claim_ids = {c.id for c in report.claims}
    references = {p.id for p in report.papers}
    used = {c.paper_id for c in report.claims} | {s.paper_id for c in report.claims for s in c.also_in} \
        | {e.paper_id for c in report.claims for e in c.evidence}
    answer_papers = set(cited_paper_ids(report.answer))
    problems = [f"the answer cites {cid}, which is not a claim of this report"
                for cid in cited_claim_ids(report.answer) if cid not in claim_ids]
    problems += [f"paper {pid} is cited but has no reference" for pid in sorted((used | answer_papers) - references)]
    problems += [f"reference {pid} is cited by nothing" for pid in sorted(references - used - answer_papers)]
    return problems
