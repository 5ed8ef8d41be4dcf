"""The answer to the research question, composed from the verified claims and the model's structured synthesis.

The model names the question's focus, the claims that study it, a direct answer and findings with claim ids; the
program keeps only what the claims back: citations to claims of this run, a direct answer only when some claim
really is about the focus, and what is contested from the verifier's verdicts.
"""

from __future__ import annotations

import re

from agent.claims.anchoring import overlap
from agent.claims.citations import CLAIM_CITATION, CLAIM_ID
from agent.claims.verdicts import claim_standing
from agent.records import SynthesisOutput, VerifiedClaim
from prompts import echoed_instructions

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
CLOSEST_FINDINGS = 4  # findings an answer gives when no claim studies the focus


def grounded_focus_claims(output: SynthesisOutput, claims: list[VerifiedClaim]) -> list[str]:
    """The model's focus claims that really mention the focus (a small model over-claims relevance)."""
    by_id = {c.id: c for c in claims}
    return [i for i in output.focus_claim_ids
            if i in by_id and overlap(output.question_focus, f"{by_id[i].text} {by_id[i].quote}") >= MIN_FOCUS_OVERLAP]


def not_studied_answer(focus: str, n_claims: int) -> str:
    return (f"The papers found do not study {focus} directly: none of the {n_claims} verified claims is about it, "
            "so this literature cannot answer the question as asked. The closest evidence, from neighbouring settings, "
            "is below.")


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


def closest_claims(question: str, claims: list[VerifiedClaim], n: int = 3, skip: set[str] | None = None) -> list[str]:
    """The supported claims most relevant to the question (their relevance label, then the content they share
    with it), quoted as findings."""
    supported = [c for c in claims if c.verdict == "SUPPORTED" and c.id not in (skip or set())] or \
        [c for c in claims if c.id not in (skip or set())]
    ranked = sorted(supported, key=lambda c: (-c.relevance_score, -overlap(question, c.text), int(c.id[1:])))
    return [f"{c.text.rstrip('.')} [{c.id}]." for c in ranked[:n]]


def compose_paragraphs(
    output: SynthesisOutput, claims: list[VerifiedClaim], question: str = "", sub_questions: list[str] | None = None
) -> tuple[list[tuple[str, bool]], list[str], bool]:
    """The answer's paragraphs as (text, written by the model), the dropped ids, and whether the focus is covered.

    The direct answer (the model's, when some claim is about the focus; else the program's statement that none
    is), the findings with their citations, and what is not settled."""
    known_ids = {c.id for c in claims}
    focus = clean_focus(output.question_focus)
    covered = bool(grounded_focus_claims(output, claims))
    if covered:
        direct, dropped = keep_known_citations(" ".join(output.direct_answer.split()), known_ids)
        paragraphs = [(direct, True)]
    else:
        dropped = []
        paragraphs = [(not_studied_answer(focus, len(claims)), False)]
    findings, more = _finding_sentences(output, known_ids, focus, covered)
    if findings:
        paragraphs.append((" ".join(findings), True))
    if not covered or not findings:  # the closest evidence, as the papers state it, beside the model's findings
        cited = {i for f in findings for i in CLAIM_ID.findall(f)}
        closest = closest_claims(question or focus, claims, n=max(1, CLOSEST_FINDINGS - len(findings)), skip=cited)
        paragraphs.append((" ".join(closest), False))
    open_questions = open_paragraph(output, claims, sub_questions or [], question)
    if open_questions:
        paragraphs.append((open_questions, False))
    return [(text, by_model) for text, by_model in paragraphs if text], dropped + more, covered


def compose_answer(
    output: SynthesisOutput, claims: list[VerifiedClaim], question: str = ""
) -> tuple[str, list[str], bool]:
    """The answer text (direct answer, then findings with citations), dropped ids, and whether the focus is covered."""
    paragraphs, dropped, covered = compose_paragraphs(output, claims, question)
    return "\n\n".join(text for text, _ in paragraphs), dropped, covered


def clean_focus(focus: str) -> str:
    """The model's name for the question's focus, without an echo of the prompt's explanation of it."""
    text = re.sub(r"\s*\([^)]*\)", "", " ".join(focus.split())).strip().rstrip(".")
    if echoed_instructions(text):
        text = ""
    return text or "the question's subject"


_GENERIC = re.compile(
    r"\b(?:do(?:es)? not (?:provide|give|offer|contain|include) (?:any )?(?:information|details|data)|"
    r"no information (?:is|was) (?:provided|given)|further (?:research|work|studies) (?:is|are) needed|"
    r"more research is needed|the claims do not|not (?:mentioned|discussed|specified) in the claims|"
    r"no claims? (?:studies|study|addresses|address|covers|cover|mentions|mention)\b(?! \w+ \w+ \w+))",
    re.IGNORECASE)


_NAMED = re.compile(r"(?<!^)(?<![.:;] )\b(?:[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9\-]*|[A-Z][a-z]+)\b|\d")


def concrete(item: str) -> bool:
    """An open point worth a reader's time: it names something (a language, dataset, model, number), and is not a
    template line or an echo of the prompt ("the effectiveness depends on the specific language and task")."""
    return bool(item) and bool(_NAMED.search(item.strip())) and not _GENERIC.search(item) \
        and not echoed_instructions(item)


MAX_OPEN_POINTS = 4
RESTATES_QUESTION = 0.6


def unaddressed_sub_questions(sub_questions: list[str], claims: list[VerifiedClaim], question: str = "") -> list[str]:
    """Sub-questions of the plan that no claim about the question shares most content words with (a sub-question
    that only restates the question is left out: the answer's first sentence already says whether it is
    answered)."""
    relevant = [c for c in claims if c.relevance != "background"]
    return [q for q in sub_questions
            if not (question and overlap(q, question) >= RESTATES_QUESTION)
            and not any(overlap(q, f"{c.text} {c.quote}") >= MIN_FOCUS_OVERLAP for c in relevant)]


def open_paragraph(output: SynthesisOutput, claims: list[VerifiedClaim], sub_questions: list[str] | None = None,
                   question: str = "") -> str:
    """What is not settled (the model's concrete points, and sub-questions no claim addresses) and where
    papers disagree (from the verifier's corroboration)."""
    sentences = []
    unsettled = [" ".join(item.split()).rstrip(".") for item in output.not_settled]
    unsettled = [item for item in unsettled if concrete(item)]
    unsettled += [f"no claim found addresses \u201c{q.rstrip('?. ')}?\u201d"
                  for q in unaddressed_sub_questions(sub_questions or [], claims, question)]
    if unsettled:
        points = list(dict.fromkeys(unsettled))[:MAX_OPEN_POINTS]
        sentences.append("Not settled by the papers found: " + "; ".join(points) + ".")
    contested = [c.id for c in claims if claim_standing(c) == "contested"]
    if contested:
        sentences.append("Contested (another paper about the same subject contradicts it; both quotes are in the "
                         f"claims table): [{', '.join(contested)}].")
    return " ".join(sentences)
