"""The answer to the research question, composed from the verified claims and the model's structured synthesis.

The model names the question's focus, the claims that study it, a direct answer and findings with claim ids; the
program keeps only what the claims back: citations to claims of this run, a direct answer only when some claim
really is about the focus, and what is contested from the verifier's verdicts.
"""

from __future__ import annotations

import re

from agent.claims.anchoring import overlap
from agent.claims.citations import CLAIM_CITATION
from agent.claims.verdicts import claim_standing
from agent.records import SynthesisOutput, VerifiedClaim

NO_EVIDENCE_ANSWER = (
    "The literature found for this question does not answer it: no paper that was searched and read yielded a "
    "claim that could be checked. Broaden the question or add papers to the library (`agent index`)."
)


NO_ANSWER_COMPOSED = (
    "The model could not compose an answer from the verified claims; read the claims table, where each "
    "claim is quoted with its source and verdict."
)


def claims_block(claims: list[VerifiedClaim]) -> str:
    return "\n".join(f"{c.id} | {c.verdict} | {c.confidence:.2f} | arXiv:{c.paper_id} | {c.text}" for c in claims)


def keep_known_citations(answer: str, known_ids: set[str]) -> tuple[str, list[str]]:
    """Drop cited ids that are not claims of this run; return the cleaned answer and what was dropped."""
    dropped: list[str] = []

    def fix(match: re.Match) -> str:
        ids = [part.strip() for part in match.group(1).split(",")]
        kept = [i for i in ids if i in known_ids]
        dropped.extend(i for i in ids if i not in known_ids)
        return f"[{', '.join(kept)}]" if kept else ""

    cleaned = CLAIM_CITATION.sub(fix, answer)
    return re.sub(r"\s+([.,;])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip(), dropped


def sorted_claims(verified: list[VerifiedClaim]) -> list[VerifiedClaim]:
    return sorted(verified, key=lambda c: int(c.id[1:]))


MIN_FOCUS_OVERLAP = 0.5


def grounded_focus_claims(output: SynthesisOutput, claims: list[VerifiedClaim]) -> list[str]:
    """The model's focus claims that really mention the focus (a small model over-claims relevance)."""
    by_id = {c.id: c for c in claims}
    return [i for i in output.focus_claim_ids
            if i in by_id and overlap(output.question_focus, f"{by_id[i].text} {by_id[i].quote}") >= MIN_FOCUS_OVERLAP]


def not_studied_answer(focus: str, n_claims: int) -> str:
    return (f"The papers found do not study {focus} directly: none of the {n_claims} verified claims is about it, "
            "so this literature cannot answer the question as asked. What the papers do establish is below.")


def _finding_sentences(
    output: SynthesisOutput, known_ids: set[str], focus: str, covered: bool
) -> tuple[list[str], list[str]]:
    sentences, dropped = [], []
    for finding in output.findings:
        statement = " ".join(finding.statement.split()).rstrip(". ")
        ids = [i for i in dict.fromkeys(finding.claim_ids) if i in known_ids]
        if not statement or not ids:
            continue
        if not covered and overlap(focus, statement) >= MIN_FOCUS_OVERLAP:
            continue  # a finding about the focus when no claim is about it is invented
        statement, more = keep_known_citations(statement, known_ids)
        dropped += more
        sentences.append(f"{statement} [{', '.join(sorted(ids, key=lambda i: int(i[1:])))}].")
    return sentences, dropped


def closest_claims(question: str, claims: list[VerifiedClaim], n: int = 3) -> list[str]:
    """The supported claims sharing the most content with the question, quoted as findings."""
    supported = [c for c in claims if c.verdict == "SUPPORTED"] or claims
    ranked = sorted(supported, key=lambda c: (-overlap(question, c.text), int(c.id[1:])))
    return [f"{c.text.rstrip('.')} [{c.id}]." for c in ranked[:n]]


def compose_answer(
    output: SynthesisOutput, claims: list[VerifiedClaim], question: str = ""
) -> tuple[str, list[str], bool]:
    """The answer text (direct answer, then findings with citations), dropped ids, and whether the focus is covered."""
    known_ids = {c.id for c in claims}
    focus = " ".join(output.question_focus.split()).rstrip(".") or "the question's subject"
    covered = bool(grounded_focus_claims(output, claims))
    if covered:
        direct, dropped = keep_known_citations(" ".join(output.direct_answer.split()), known_ids)
    else:
        direct, dropped = not_studied_answer(focus, len(claims)), []
    findings, more = _finding_sentences(output, known_ids, focus, covered)
    findings = findings or closest_claims(question or focus, claims)
    open_questions = open_paragraph(output, claims)
    return "\n\n".join(p for p in (direct, " ".join(findings), open_questions) if p), dropped + more, covered


def open_paragraph(output: SynthesisOutput, claims: list[VerifiedClaim]) -> str:
    """What is not settled (the model's words) and where the papers disagree (from the verifier's verdicts)."""
    sentences = []
    unsettled = [" ".join(item.split()).rstrip(".") for item in output.not_settled if item.strip()]
    if unsettled:
        sentences.append("Not settled by the papers found: " + "; ".join(unsettled) + ".")
    contested = [c.id for c in claims if claim_standing(c.verdict, c.confidence, (e.stance for e in c.evidence))
                 == "contested"]
    if contested:
        sentences.append("Contested (refuted by the evidence, or with evidence both for and against): "
                         f"[{', '.join(contested)}].")
    return " ".join(sentences)
