"""Make an extracted claim checkable: anchor it to the sentence it rests on, and make it self-contained."""

from __future__ import annotations

import re

from tools.papers import Paper
from tools.text import content_words, overlap

__all__ = ["anchor_quote", "author_reference", "content_words", "make_self_contained", "overlap"]

MIN_ANCHOR_OVERLAP = 0.3  # a claim sharing less than this with every sentence is not grounded in the paper
HINT_TOLERANCE = 0.1  # keep the model's sentence unless another one matches clearly better
PAIR_GAIN = 0.3  # quote two adjacent sentences only when together they cover clearly more of the claim


def anchor_quote(claim: str, sentences: list[str], hint: int) -> str | None:
    """The verbatim sentence (or two adjacent ones) the claim rests on, or None if it rests on none.

    `hint` is the 1-based sentence number the model gave; it wins unless another sentence shares
    clearly more content words with the claim (small models often point one sentence off).
    """
    if not sentences:
        return None
    scores = [overlap(claim, s) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    chosen = hint - 1 if 1 <= hint <= len(sentences) and scores[hint - 1] >= scores[best] - HINT_TOLERANCE else best
    if scores[chosen] < MIN_ANCHOR_OVERLAP:
        return None
    for neighbour in (chosen - 1, chosen + 1):  # a claim that merges two sentences quotes both
        if 0 <= neighbour < len(sentences):
            first, second = sorted((chosen, neighbour))
            pair = f"{sentences[first]} {sentences[second]}"
            if overlap(claim, pair) >= scores[chosen] + PAIR_GAIN:
                return pair
    return sentences[chosen]


def author_reference(paper: Paper) -> str:
    first = paper.first_author.replace(" et al.", "").strip()
    surname = first.split()[-1] if first and first != "Unknown" else ""
    return f"{surname} et al." if surname else "the authors"


_REPLACEMENTS = [
    (re.compile(r"\b[Ii]n (?:this|our) (?:paper|work|study|article|experiments)\s*,\s*"), ""),
    (re.compile(r"\b[Tt]his (?:paper|work|study|article)\b"), "the paper by {ref}"),
    (re.compile(r"\b[Oo]ur (?:findings|results|experiments)\b"), "the findings of {ref}"),
    (re.compile(r"\b[Oo]ur\b"), "{ref}'s"),
    (re.compile(r"\b[Ww]e\b"), "{ref}"),
    (re.compile(r"\bus\b"), "{ref}"),
]


def make_self_contained(claim: str, paper: Paper) -> str:
    """Replace first-person and deictic references ("we", "our method", "this paper") by the authors."""
    ref = author_reference(paper)
    text = claim
    for pattern, replacement in _REPLACEMENTS:
        text = pattern.sub(replacement.format(ref=ref), text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:] if text else text
