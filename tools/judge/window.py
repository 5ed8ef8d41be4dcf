"""The sentences of a passage a judge reads: those closest to the claim, in the passage's order.

A cross-encoder reads 256 tokens, an abstract is often longer, and the sentence that decides a claim is
usually among the few closest to it in embedding (SciFact's rationales are one or two sentences). Training
and judging both go through this function, so the judge is trained on what it is shown.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from tools.text import split_sentences

WINDOW_SENTENCES = 3

Encode = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised vectors


def evidence_window(claim: str, passage: str, encode: Encode, k: int = WINDOW_SENTENCES) -> str:
    """The k sentences of `passage` most similar to `claim`, joined in the passage's order (the passage itself
    when it has no more than k)."""
    sentences = split_sentences(passage)
    if len(sentences) <= k:
        return " ".join(sentences) if sentences else passage
    vectors = encode([claim, *sentences])
    closest = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")[:k]
    return " ".join(sentences[i] for i in sorted(closest))
