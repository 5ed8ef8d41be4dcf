"""What a program reads off a claim and a passage without a judge model: how close the passage's nearest sentence
is to the claim, and whether that sentence differs from the claim in negation, direction or numbers.

Small judges miss exactly these: a negated or reversed claim ("X decreases Y" against "X increased Y"), a changed
number ("10% of …" against "90% of …"). The verifier's stack (`agent/claims/judging.py`) weighs these signals
beside the judges' label probabilities, with weights fitted on labelled judgments; none is a verdict on its own.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from tools.judge.tables import read_claim
from tools.judge.window import SentenceMatch
from tools.text import overlap

_NEGATION = re.compile(r"\b(?:not|no|never|neither|nor|none|cannot|without|lacks?|lacking|absence|absent|fails?|failed"
                       r"|unable|unaffected|insignificant|non-significant|nonsignificant)\b|n't\b", re.I)
_UP = re.compile(r"\b(?:increas\w*|higher|greater|more|rais\w*|elevat\w*|enhanc\w*|improv\w*|promot\w*|induc\w*"
                 r"|activat\w*|up-?regulat\w*|stimulat\w*|accelerat\w*|boost\w*|outperform\w*|better|larger|exceed\w*"
                 r"|gains?|strengthen\w*|augment\w*|amplif\w*|rises?|rose|positive(?:ly)?)\b", re.I)
_DOWN = re.compile(r"\b(?:decreas\w*|reduc\w*|lower\w*|less|fewer|smaller|declin\w*|diminish\w*|inhibit\w*|suppress\w*"
                   r"|down-?regulat\w*|impair\w*|attenuat\w*|worse|underperform\w*|prevent\w*|block\w*|slow\w*"
                   r"|drops?|dropped|weaken\w*|deplet\w*|abolish\w*|loss|lose|loses|falls?|fell|negative(?:ly)?)\b",
                   re.I)
_NUMBER = re.compile(r"(?<![\w.\-])\d+(?:[.,]\d+)?(?![\w\-])")

SIGNAL_NAMES = ("best_cosine", "best_overlap", "passage_overlap", "negation_mismatch", "direction_conflict",
                "number_unmatched", "table_supports", "table_refutes", "table_lacks")


@dataclass(frozen=True)
class PairSignals:
    best_cosine: float  # MiniLM cosine of the claim and the passage's closest sentence
    best_overlap: float  # share of the claim's content words in that sentence
    passage_overlap: float  # share of the claim's content words anywhere in the passage
    negation_mismatch: float  # 1: one of claim and closest sentence is negated, the other not
    direction_conflict: float  # 1: they state an effect in opposite directions (increase / decrease)
    number_unmatched: float  # 1: the claim states a number the passage does not have
    table_supports: float  # the table reader (`tables.py`) finds the claim's cells as stated
    table_refutes: float  # … finds them otherwise
    table_lacks: float  # … finds the table has no such cell

    def vector(self) -> list[float]:
        return [float(v) for v in asdict(self).values()]


def _direction(text: str) -> int:
    """+1 the text states an increase, -1 a decrease, 0 neither or both; flipped by an odd number of negations."""
    up, down = bool(_UP.search(text)), bool(_DOWN.search(text))
    if up == down:
        return 0
    sign = 1 if up else -1
    return -sign if len(_NEGATION.findall(text)) % 2 else sign


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def pair_signals(claim: str, match: SentenceMatch) -> PairSignals:
    best = match.best
    claim_negated = len(_NEGATION.findall(claim)) % 2
    best_negated = len(_NEGATION.findall(best)) % 2
    direction = _direction(claim) * _direction(best)
    claim_numbers = _numbers(claim)
    table = read_claim(claim, match.passage)
    verdict = table.verdict if table else None
    return PairSignals(
        best_cosine=round(match.best_similarity, 4),
        best_overlap=round(overlap(claim, best), 4),
        passage_overlap=round(overlap(claim, match.passage), 4),
        negation_mismatch=float(claim_negated != best_negated),
        direction_conflict=float(direction < 0),
        number_unmatched=float(bool(claim_numbers - _numbers(match.passage))),
        table_supports=float(verdict == "SUPPORTED"),
        table_refutes=float(verdict == "REFUTED"),
        table_lacks=float(verdict == "NOT_ENOUGH_INFO"),
    )
