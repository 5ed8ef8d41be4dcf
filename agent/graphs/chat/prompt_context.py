"""What the chat prompts show the model about the thread: its claims, transcript, and where the terms of the
user's last message occur in the papers.

The mentions block exists because small models answer "which of those used PAWS-X?" from their own guesses:
an exact search of every listed paper's stored text turns that question into reading a list. It informs the
answer; it is not the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from tools.text import split_sentences
from tools.vocabulary import Vocabulary

CONVERSATION_MESSAGES = 16
TOOL_RESULT_CHARS = 1500
MENTION_SENTENCE_CHARS = 220
MAX_TERMS = 4

def last_user_message(messages: list[dict]) -> str:
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


def claims_block(claims: list[dict]) -> str:
    return "\n".join(f"- {c['verdict']} ({c['confidence']:.2f}) {c['text']} [arXiv:{c['paper_id']}]"
                     for c in claims) or "(none yet)"


def conversation_block(messages: list[dict]) -> str:
    lines = []
    for m in messages[-CONVERSATION_MESSAGES:]:
        if m["role"] == "tool":
            lines.append(f"TOOL {m['tool']} result: {m['content'][:TOOL_RESULT_CHARS]}")
        else:
            lines.append(f"{m['role'].upper()}: {m['content']}")
    return "\n".join(lines)


def named_terms(message: str, vocabulary: Vocabulary) -> list[str]:
    """The names in a message worth an exact search: datasets, benchmarks, models, methods and languages, as the
    snapshot's and the thread's papers write them (`tools/vocabulary.py`), at most MAX_TERMS."""
    return vocabulary.names_in(message, MAX_TERMS)


def term_pattern(term: str) -> re.Pattern:
    """`term` as a whole word, in any case, with or without its hyphens ("PAWS-X", "PAWS X", "pawsx")."""
    parts = [re.escape(part) for part in re.split(r"[\-\s_]+", term) if part]
    return re.compile(r"(?<![A-Za-z0-9])" + r"[\-\s_]?".join(parts) + r"(?![A-Za-z0-9])", re.IGNORECASE)


def shortened(sentence: str, limit: int = MENTION_SENTENCE_CHARS) -> str:
    """The sentence on one line, cut to `limit` characters with an ellipsis."""
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[:limit - 1] + "…"


@dataclass(frozen=True)
class Mentions:
    """Where one name occurs among the thread's papers: (number, paper, first sentence naming it) for each
    paper that mentions it, and the numbers of those that do not."""

    term: str
    found: list[tuple[int, dict, str]]
    absent: list[int]


def find_mentions(papers: list[dict], terms: list[str], stored_texts: Callable[[str], list[str]],
                  numbers: dict[str, int] | None = None) -> list[Mentions]:
    """Exact search of each paper's title, abstract and any indexed full text for each term. `numbers`: the
    papers' numbers in the thread (default: their order here)."""
    texts = {p["id"]: [p.get("title", ""), p.get("abstract", ""), *stored_texts(p["id"])] for p in papers}
    numbers = numbers or {p["id"]: i for i, p in enumerate(papers, 1)}
    result = []
    for term in terms:
        pattern, found, absent = term_pattern(term), [], []
        for p in papers:
            sentence = next((s for text in texts[p["id"]] for s in split_sentences(text or "") if pattern.search(s)),
                            None)
            if sentence is None:
                absent.append(numbers[p["id"]])
            else:
                found.append((numbers[p["id"]], p, shortened(sentence)))
        result.append(Mentions(term, found, absent))
    return result


def mentions_block(papers: list[dict], message: str, stored_texts: Callable[[str], list[str]],
                   vocabulary: Vocabulary) -> str:
    """For each named term of `message`: which listed papers mention it (with the first sentence that does)
    and which do not; empty when there is nothing to look up."""
    terms = named_terms(message, vocabulary)
    if not papers or not terms:
        return ""
    lines = []
    for mention in find_mentions(papers, terms, stored_texts):
        term = mention.term
        if not mention.found:
            lines.append(f"- {term}: NONE of the listed papers mentions {term} (all {len(papers)} searched)")
            continue
        lines.append(f"- {term}: mentioned only in " + "; ".join(f"[{i}] arXiv:{p['id']} (“{sentence}”)"
                                                                 for i, p, sentence in mention.found)
                     + (f". Not mentioned in {' '.join(f'[{i}]' for i in mention.absent)}" if mention.absent else ""))
    return "\n".join(lines)
