"""The review: each rubric criterion (`prompts/review_rubric.txt`) scored from the model's label probabilities
over 1–5 (an expected score and its spread, not free text), then capped by what the program computed.

The caps are what a 1.5B reviewer cannot be trusted to notice: an answer that says the papers found do not
study the question's focus cannot score above 2 on answering it, and an answer whose sentences are not
entailed by the claims they cite cannot score high on faithfulness.
"""

from __future__ import annotations

import math

from agent.report.model import CriterionScore
from prompts import PROMPT_DIR, render
from tools.llm.base import LLMProvider

SCORES = ("1", "2", "3", "4", "5")
NON_ANSWER_CAP = 2.0


def rubric() -> list[str]:
    return [line.strip() for line in (PROMPT_DIR / "review_rubric.txt").read_text().splitlines() if line.strip()]


def criterion_name(criterion: str) -> str:
    return criterion.split(":", 1)[0].strip()


def criterion_caps(answers_question: bool, citation_precision: float | None, n_claims: int) -> dict[str, tuple]:
    """criterion name -> (cap, why), from the computed checks."""
    caps: dict[str, tuple] = {}
    if not answers_question:
        caps["Answers the question"] = (NON_ANSWER_CAP, "the answer says the papers found do not study the "
                                                        "question's focus")
    if citation_precision is not None and citation_precision < 1.0:
        caps["Faithful to sources"] = (round(1.0 + 4.0 * citation_precision, 2),
                                       f"{citation_precision:.0%} of the answer's cited sentences were entailed by "
                                       "their claims as written")
    if n_claims == 0:
        caps = {criterion_name(c): (1.0, "no claim was verified") for c in rubric()}
    return caps


def score_criterion(provider: LLMProvider, criterion: str, question: str, answer: str, claims: str,
                    cap: tuple | None) -> CriterionScore:
    probabilities, _ = provider.label_probs(
        render("review", question=question, answer=answer, claims=claims, criterion=criterion), SCORES)
    expected = sum(int(k) * p for k, p in probabilities.items())
    spread = math.sqrt(sum(p * (int(k) - expected) ** 2 for k, p in probabilities.items()))
    score = min(expected, cap[0]) if cap else expected
    return CriterionScore(criterion=criterion, score=round(score, 2), model_score=round(expected, 2),
                          spread=round(spread, 2), probabilities={k: round(p, 4) for k, p in probabilities.items()},
                          capped_by=cap[1] if cap and expected > cap[0] else None)
