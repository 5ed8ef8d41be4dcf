"""Every sentence of the answer must be entailed by the claims it cites (citation precision, as ALCE and
OpenScholar measure it), checked after writing by the verifier's judge.

A cited sentence whose claims do not entail it is rewritten from them (the best-matching cited claim, as the
paper states it) and an uncited factual sentence is removed. What the program wrote itself (the sentence
saying the papers do not study the focus, the list of open and contested points) is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from agent.claims.anchoring import overlap
from agent.claims.citations import CLAIM_CITATION
from agent.records import VerifiedClaim
from tools.text import split_sentences

ENTAILED = 0.5  # P(SUPPORTED) of a sentence against its cited claims
# P(the passage entails the sentence): the verifier's judge (`agent/graphs/verifier/judges.py`), calibrated
Entails = Callable[[str, str], float]


@dataclass
class AnswerCheck:
    sentences: int = 0  # sentences of the answer the model wrote (findings and direct answer)
    citing: int = 0  # of those, sentences citing claims
    entailed: int = 0  # of the citing ones, entailed by their claims as written
    rewritten: int = 0
    removed: int = 0

    @property
    def precision(self) -> float | None:
        return self.entailed / self.citing if self.citing else None


def _bare(sentence: str) -> str:
    return " ".join(CLAIM_CITATION.sub("", sentence).split()).rstrip(" .") + "."


def check_paragraph(paragraph: str, claims: dict[str, VerifiedClaim], entails: Entails, check: AnswerCheck) -> str:
    kept: list[str] = []
    for sentence in split_sentences(paragraph) or [paragraph]:
        check.sentences += 1
        ids = [i.strip() for m in CLAIM_CITATION.finditer(sentence) for i in m.group(1).split(",")]
        cited = [claims[i] for i in dict.fromkeys(ids) if i in claims]
        if not cited:
            check.removed += 1
            continue
        check.citing += 1
        if entails(_bare(sentence), " ".join(c.text for c in cited)) >= ENTAILED:
            check.entailed += 1
            kept.append(sentence)
            continue
        best = max(cited, key=lambda c: overlap(_bare(sentence), c.text))
        check.rewritten += 1
        kept.append(f"{best.text.rstrip('. ')} [{best.id}].")
    return " ".join(dict.fromkeys(kept))


def check_answer(paragraphs: list[tuple[str, bool]], claims: list[VerifiedClaim], entails: Entails
                 ) -> tuple[list[str], AnswerCheck]:
    """(paragraphs, check): each (text, written_by_model) paragraph, the model's checked sentence by sentence."""
    by_id = {c.id: c for c in claims}
    check = AnswerCheck()
    out = [check_paragraph(text, by_id, entails, check) if by_model else text
           for text, by_model in paragraphs]
    return [p for p in out if p], check
