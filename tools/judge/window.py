"""The sentences of a passage a judge reads: those closest to the claim, in the passage's order.

A cross-encoder reads 256 tokens, an abstract is often longer, and the sentence that decides a claim is
usually among the few closest to it in embedding (SciFact's rationales are one or two sentences). Training
and judging both go through this module, so the judge is trained on what it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from tools.text import split_sentences

WINDOW_SENTENCES = 3

Encode = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised vectors


@dataclass(frozen=True)
class SentenceMatch:
    """A passage's sentences and each one's cosine to the claim."""

    passage: str
    sentences: list[str]
    similarities: np.ndarray

    def window(self, k: int = WINDOW_SENTENCES) -> str:
        """The k sentences closest to the claim, joined in the passage's order (the passage itself when it has
        no more than k)."""
        if len(self.sentences) <= k:
            return " ".join(self.sentences) if self.sentences else self.passage
        closest = np.argsort(-self.similarities, kind="stable")[:k]
        return " ".join(self.sentences[i] for i in sorted(closest))

    @property
    def best(self) -> str:
        """The sentence closest to the claim (the passage when it has none)."""
        if not self.sentences:
            return self.passage
        return self.sentences[int(np.argmax(self.similarities))]

    @property
    def best_similarity(self) -> float:
        return float(self.similarities.max()) if len(self.similarities) else 0.0


def match_sentences(claim: str, passage: str, encode: Encode) -> SentenceMatch:
    sentences = split_sentences(passage)
    if not sentences:
        return SentenceMatch(passage, [], np.zeros(0, dtype=np.float32))
    vectors = encode([claim, *sentences])
    return SentenceMatch(passage, sentences, vectors[1:] @ vectors[0])


def evidence_window(claim: str, passage: str, encode: Encode, k: int = WINDOW_SENTENCES) -> str:
    """The k sentences of `passage` most similar to `claim`, joined in the passage's order (the passage itself
    when it has no more than k)."""
    sentences = split_sentences(passage)
    if len(sentences) <= k:
        return " ".join(sentences) if sentences else passage
    return match_sentences(claim, passage, encode).window(k)
