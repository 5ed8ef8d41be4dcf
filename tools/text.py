"""Sentence splitting that keeps every sentence a verbatim substring of its text; content-word overlap."""

from __future__ import annotations

import re

# Words after which a period does not end a sentence.
_ABBREVIATIONS = {
    "e.g", "i.e", "eg", "ie", "et al", "al", "etc", "cf", "vs", "fig", "figs", "eq", "eqs", "sec", "no",
    "dr", "prof", "mr", "ms", "approx", "resp", "viz", "ca", "tab", "ref", "refs",
}
_STOPWORDS = frozenset(
    "the and for with that this from are was were has have had been its their which these those than into onto "
    "over under such also can may more most less our we they them not but all any each other both only very "
    "about between across while when where what how does did show shows showed find finds found paper work "
    "study".split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]+")
_BOUNDARY = re.compile(r"[.!?](?:[\"')\]]+)?\s+(?=[A-Z0-9\"'(\[])")


def _ends_with_abbreviation(text: str) -> bool:
    tail = text.rstrip(".!?\"')]").lower()
    words = tail.split()
    if not words:
        return False
    words[-1] = words[-1].lstrip("([{\"'")  # "(e.g." ends with an abbreviation too
    last = words[-1]
    two = " ".join(words[-2:])
    # Single capital letters are initials ("J. Smith"), not sentence ends.
    return last in _ABBREVIATIONS or two in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences; each returned sentence occurs verbatim in `text`."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end() - (len(match.group(0)) - len(match.group(0).rstrip()))
        candidate = text[start:end]
        if _ends_with_abbreviation(candidate):
            continue
        if candidate.strip():
            sentences.append(candidate.strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def sentence_windows(sentences: list[str], size: int = 3, stride: int = 2) -> list[tuple[int, int]]:
    """(start, end) index pairs of overlapping sentence windows covering every sentence."""
    if not sentences:
        return []
    windows = []
    begin = 0
    while True:
        end = min(begin + size, len(sentences))
        windows.append((begin, end))
        if end == len(sentences):
            return windows
        begin += stride


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS}


def overlap(claim: str, sentence: str) -> float:
    words = content_words(claim)
    return len(words & content_words(sentence)) / len(words) if words else 0.0
