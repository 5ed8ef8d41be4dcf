"""How much a claim, or a sentence of a paper, bears on the research question.

Sentences are ranked cheaply by embedding similarity to the question and its sub-questions, so extraction
reads the most relevant part of each abstract. Claims are then labelled direct / related / background by the
model from first-token label probabilities (one token per claim; the instruction prefix stays in the KV
cache), and ordered by that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from agent.records import RELEVANCES, Claim
from prompts import render
from tools.llm.base import LLMProvider

LABELS = ("DIRECT", "RELATED", "BACKGROUND")


def sentence_relevance(sentences: Sequence[str], question: str, sub_questions: Sequence[str],
                       embed: Callable[[list[str]], np.ndarray]) -> list[float]:
    """Each sentence's best cosine to the question or one of its sub-questions."""
    if not sentences:
        return []
    topics = [question, *sub_questions]
    vectors = embed([*topics, *sentences])
    return [float(v) for v in (vectors[len(topics):] @ vectors[:len(topics)].T).max(axis=1)]


def claim_relevance(claim: Claim, question: str, sub_questions: Sequence[str],
                    provider: LLMProvider) -> Claim:
    """The claim with its relevance label and score (P(direct) + P(related)/2)."""
    probabilities, _ = provider.label_probs(
        render("relevance", question=question, sub_questions="\n".join(f"- {q}" for q in sub_questions) or "(none)",
               claim=claim.text),
        LABELS,
    )
    label = RELEVANCES[max(range(len(LABELS)), key=lambda i: (probabilities[LABELS[i]], -i))]
    score = probabilities["DIRECT"] + 0.5 * probabilities["RELATED"]
    return claim.model_copy(update={"relevance": label, "relevance_score": round(score, 4)})
