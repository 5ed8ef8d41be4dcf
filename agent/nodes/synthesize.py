"""synthesize: answer the research question from the verified claims, citing claim ids."""

from __future__ import annotations

import re

from langgraph.runtime import Runtime

from agent.nodes.common import Services, emit, tracked
from agent.records import SynthesisOutput, VerifiedClaim
from agent.state import ResearchState
from prompts import render

_CITATION = re.compile(r"\[(C\d+(?:\s*,\s*C\d+)*)\]")

NO_EVIDENCE_ANSWER = (
    "The literature found for this question does not answer it: no paper that was searched and read yielded a "
    "claim that could be checked. Broaden the question or add papers to the library (`agent index`)."
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

    cleaned = _CITATION.sub(fix, answer)
    return re.sub(r"\s+([.,;])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip(), dropped


def sorted_claims(verified: list[VerifiedClaim]) -> list[VerifiedClaim]:
    return sorted(verified, key=lambda c: int(c.id[1:]))


@tracked("synthesize")
def synthesize(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    claims = sorted_claims(state.get("verified", []))
    if not claims:
        return {"answer": NO_EVIDENCE_ANSWER,
                "limitations": ["No verifiable claims were extracted from the papers found."]}
    output = services.provider.structured(
        render("synthesize", question=state["question"], claims=claims_block(claims)),
        SynthesisOutput, max_tokens=900,
    )
    answer, dropped = keep_known_citations(output.answer.strip(), {c.id for c in claims})
    warnings = [f"the answer cited unknown claim ids {sorted(set(dropped))}; they were removed"] if dropped else []
    limitations = [" ".join(item.split()) for item in output.limitations if item.strip()]
    emit(runtime, stage="synthesize", answer_chars=len(answer))
    return {"answer": answer, "limitations": limitations, "warnings": warnings}
