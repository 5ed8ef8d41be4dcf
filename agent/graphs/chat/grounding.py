"""A chat answer about the literature that rests on the thread's papers, sentence by sentence.

- `evidence_lines`: the sentences of the turn's papers closest to the question, numbered, as the answer prompt
  shows them; the model writes only from these.
- `relevant`: whether the papers found address the question at all (cosine of the question with each paper
  in the MiniLM space the search ranks by); when none does, the answer says so instead of summarising noise.
- `GroundedStream`: the model's answer, checked one sentence at a time before it is shown: an invented paper
  id is removed; a sentence citing a paper that shares nothing with it goes to the paper it does rest on, or
  is left out; an uncited sentence gets the citation of the passage it restates, or is left out. A sentence
  that says the papers do not say something needs no citation.
- `extractive_answer`: when no sentence survives, the closest passages themselves, quoted and cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from agent.claims.anchoring import content_words, overlap
from agent.claims.citations import cited_paper_ids, drop_unknown_papers, paper_ref
from agent.graphs.chat.prompt_context import shortened, term_pattern
from tools.text import split_sentences

EVIDENCE_PAPERS = 5
MAX_SENTENCES = 4  # an answer longer than this restates the passages; the stream stops there
SENTENCES_PER_PAPER = 2
EVIDENCE_SENTENCE_CHARS = 320
# Cosine (all-MiniLM-L6-v2) of the question with a paper's title and abstract below which the paper does not
# address the question. Measured on the snapshot: the tune half of the retrieval gold set (34 questions) has
# its best paper at 0.48-0.75 (10th percentile 0.55) and its fifth at 0.42 or more; ten off-topic questions
# (weather, recipes, football, a poem) have their best at 0.14-0.37.
RELEVANT_SIMILARITY = 0.4
NAMED_SIMILARITY = 0.2  # ... for a paper that mentions a rare name of the question
SUPPORT_OVERLAP = 0.34  # share of a cited sentence's content words its paper must hold to back it
ATTRIBUTE_OVERLAP = 0.5  # ... that a paper must hold for an uncited (or wrongly cited) sentence to be given to it
# "The papers found do not say …": about what the papers cover, so it needs no citation. A finding that happens
# to be negative ("we do not observe a curse of multilinguality") is not one.
_NO_INFORMATION = re.compile(
    r"\b(?:papers?|passages?|stud(?:y|ies)|they|it|authors?)\b[^.]*?\b(?:do(?:es)? not|don't|doesn't|did not)\s+"
    r"(?:say|mention|report|address|cover|discuss|provide|contain|specify|give|state|include|answer|study|test|"
    r"compare|evaluate|examine|explore)|\bnone of the (?:\d+ )?(?:papers|passages|studies)\b|"
    r"\bno (?:paper|passage|study|information|evidence)\b|\bnot (?:mentioned|covered|addressed|discussed|reported|"
    r"studied)\b|\bI found no\b|\bcould not find\b", re.IGNORECASE)
_LEADING_CITATION = re.compile(r"^\s*(?:(?:\(\s*arXiv:[\w.\-/]+\s*\)|[,;])\s*)+")  # "(arXiv:…) This study …"
_CITATION_TEXT = re.compile(r"\(?\s*arXiv:[\w.\-/]+(?:\s*[,;]\s*arXiv:[\w.\-/]+)*\s*\)?|\[\d{1,2}\]")


@dataclass(frozen=True)
class EvidenceLine:
    paper_id: str
    title: str
    year: int | None
    sentence: str
    number: int | None = None  # the paper's number in the thread ("the second paper" is [2]), for follow-ups

    def render(self) -> str:
        number = f"[{self.number}] " if self.number else ""
        return (f"{number}{paper_ref(self.paper_id)} ({self.title}, {self.year or 'n.d.'}): "
                f"\u201c{self.sentence}\u201d")


def evidence_lines(focus: str, papers: list[dict], rank_by_focus: bool = False, limit: int = EVIDENCE_PAPERS,
                   numbers: dict[str, int] | None = None, pinned: str = "") -> list[EvidenceLine]:
    """Up to SENTENCES_PER_PAPER sentences of each paper closest to `focus`, in their paper's order (the
    search's; or, with `rank_by_focus`, papers with the closest sentences first; the `pinned` paper, one the
    question names, always first). `numbers`: the papers' numbers in the thread, shown with them."""
    scored = []
    numbers = numbers or {}
    for order, paper in enumerate(papers):
        sentences = split_sentences(paper.get("abstract", "")) or [paper.get("title", "")]
        ranked = sorted(range(len(sentences)), key=lambda i: (-overlap(focus, sentences[i]), i))
        best = [i for i in ranked[:SENTENCES_PER_PAPER] if overlap(focus, sentences[i]) > 0] or ranked[:1]
        score = max(overlap(focus, sentences[i]) for i in best)
        lines = [EvidenceLine(paper["id"], paper.get("title", ""), paper.get("year"),
                              shortened(sentences[i], EVIDENCE_SENTENCE_CHARS), numbers.get(paper["id"]))
                 for i in sorted(best)]
        first = -2.0 if paper["id"] == pinned else -score if rank_by_focus else 0.0
        scored.append((first, order, lines))
    return [line for _, _, lines in sorted(scored, key=lambda item: item[:2])[:limit] for line in lines]


def similarities(question_vector: np.ndarray, paper_vectors: dict[str, np.ndarray]) -> dict[str, float]:
    return {pid: float(np.dot(question_vector, vector)) for pid, vector in paper_vectors.items()}


def relevant(scores: dict[str, float], naming: set[str] = frozenset(),
             threshold: float = RELEVANT_SIMILARITY) -> list[str]:
    """The papers that address the question, best first: close to it in the embedding space, or (`naming`)
    mentioning a rare name the question uses and not far from it (MiniLM knows "PAWS-X" poorly: the PAWS-X
    paper sits at 0.23 from "What have papers reported about PAWS-X results for German?")."""
    return [pid for pid, score in sorted(scores.items(), key=lambda item: -item[1])
            if score >= threshold or (pid in naming and score >= NAMED_SIMILARITY)]


def without_citations(sentence: str) -> str:
    """The sentence's words without its arXiv ids and list numbers."""
    return _CITATION_TEXT.sub(" ", sentence)


def says_nothing_found(sentence: str) -> bool:
    return bool(_NO_INFORMATION.search(sentence)) or len(content_words(without_citations(sentence))) < 3


@dataclass
class GroundedStream:
    """Streams an answer sentence by sentence, each checked against the papers' text (`support`: paper id →
    the text the answer may rest on: the evidence shown, the abstract)."""

    support: dict[str, str]
    titles: dict[str, str] = field(default_factory=dict)  # paper id -> title: restated titles are cut
    names: Callable[[str], list[str]] = lambda text: []  # the rare names a sentence uses (`tools/vocabulary.py`)
    said_before: list[str] = field(default_factory=list)  # earlier answers of the thread: not said again
    kept: list[str] = field(default_factory=list)  # sentences a paper backs, as shown
    said: list[str] = field(default_factory=list)  # every sentence shown (the kept ones and "the papers do not say")
    dropped: list[str] = field(default_factory=list)  # sentences no paper of the thread backs
    removed_ids: list[str] = field(default_factory=list)  # invented or unknown paper ids
    repeated: int = 0  # sentences left out because this answer or an earlier one said them already
    draft: str = ""  # what the model wrote, unchecked (kept for `agent eval chat`'s baseline)
    buffer: str = ""

    def _backs(self, pid: str, sentence: str, share: float) -> bool:
        """The paper holds `share` of the sentence's content words and every rare name it uses (a sentence
        about translate-train is not backed by a paper that never names it, however many words they share)."""
        text = self.support[pid]
        if overlap(without_citations(sentence), text) < share:
            return False
        return all(term_pattern(name).search(text) for name in self.names(without_citations(sentence)))

    def _backing(self, sentence: str) -> str:
        """The paper that best backs an uncited (or wrongly cited) sentence, or ""."""
        words = without_citations(sentence)
        ranked = sorted(self.support, key=lambda pid: -overlap(words, self.support[pid]))
        return next((pid for pid in ranked if self._backs(pid, sentence, ATTRIBUTE_OVERLAP)), "")

    @property
    def full(self) -> bool:
        return len(self.kept) >= MAX_SENTENCES

    def _repeats(self, sentence: str) -> bool:
        words = content_words(without_citations(sentence))
        return any(len(words & content_words(without_citations(k))) >= 0.8 * max(len(words), 1)
                   for k in [*self.kept, *self.said_before])

    def _without_titles(self, sentence: str) -> str:
        """"arXiv:2309.10891 (Self-Augmentation Improves …, 2023) states" → "arXiv:2309.10891 states"."""
        for title in self.titles.values():
            if title and title in sentence:
                year = r"(?:,?\s*\(?(?:\d{4}|n\.d\.)\)?)?"
                sentence = re.sub(rf"\s*\(?[\"\u201c]?{re.escape(title)}[\"\u201d]?{year}\)?", "", sentence)
        return sentence

    def _checked(self, sentence: str) -> str:
        if self.full or not content_words(without_citations(sentence)):  # full, or a citation on its own
            return ""
        if self._repeats(sentence):  # small models loop: a sentence said once is enough
            self.repeated += 1
            return ""
        sentence = _LEADING_CITATION.sub("", self._without_titles(sentence))  # the last sentence's, or debris
        sentence, removed = drop_unknown_papers(sentence, set(self.support))
        self.removed_ids += removed
        stripped = sentence.strip()
        cited = [pid for pid in cited_paper_ids(stripped) if pid in self.support]
        if removed and not cited:  # it rested on a paper that is not in the thread (or does not exist)
            self.dropped.append(stripped)
            return ""
        if not stripped or says_nothing_found(stripped):
            self.said += [stripped] if stripped else []
            return sentence
        if cited and any(self._backs(pid, stripped, SUPPORT_OVERLAP) for pid in cited):
            self.kept.append(stripped)
            self.said.append(stripped)
            return sentence
        best_paper = self._backing(stripped)
        if best_paper:  # restates a passage: cite the paper it comes from
            for pid in cited:
                stripped = re.sub(rf"\s*\(?{re.escape(paper_ref(pid))}\)?", "", stripped)
            body = stripped.rstrip(".!?;: ")
            fixed = f"{body} ({paper_ref(best_paper)})." if body else ""
            self.kept.append(fixed)
            self.said.append(fixed)
            return sentence[:len(sentence) - len(sentence.lstrip())] + fixed + (" " if sentence.endswith(" ") else "")
        self.dropped.append(stripped)
        return ""

    def feed(self, piece: str) -> str:
        """The sentences `piece` completes, checked; the unfinished one stays in the buffer."""
        self.draft += piece
        self.buffer += piece
        sentences = _sentences(self.buffer)
        if len(sentences) < 2:
            return ""
        ready = self.buffer[: self.buffer.rindex(sentences[-1])]
        self.buffer = self.buffer[len(ready):]
        return "".join(self._checked(s + " ") for s in _sentences(ready))

    def flush(self) -> str:
        rest, self.buffer = self.buffer, ""
        return "".join(self._checked(s + " ") for s in _sentences(rest)).rstrip()


def _sentences(text: str) -> list[str]:
    """Sentences, with a line break (a list item, a cut-off sentence) ending one too."""
    return [s for line in text.split("\n") for s in split_sentences(line)]


def extractive_answer(lines: list[EvidenceLine], limit: int = 3) -> str:
    """The closest passages themselves, when the model wrote nothing the papers back."""
    quoted = "; ".join(f"\u201c{line.sentence}\u201d ({paper_ref(line.paper_id)})" for line in lines[:limit])
    return f"The closest passages in the papers found: {quoted}." if quoted else ""
