"""What the chat prompts show the model about the thread: its papers, claims, transcript, and where the terms
of the user's last message occur in the papers.

The last block exists because small models answer "which of those used PAWS-X?" from their own guesses:
an exact search of every listed paper's stored text turns that question into reading a list.
"""

from __future__ import annotations

import re
from typing import Callable

from agent.claims.anchoring import overlap
from tools.text import split_sentences

CONVERSATION_MESSAGES = 16
TOOL_RESULT_CHARS = 1500
MENTION_SENTENCE_CHARS = 220
MAX_TERMS = 4

# A named term: a token with a capital after its first letter (PAWS-X, XNLI, mBERT), a digit next to letters
# (mT5, XLM-R100), or a capitalised word that does not open the message (Swahili).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-\.]*[A-Za-z0-9]")
_QUESTION_WORDS = frozenset({"which", "what", "who", "whose", "where", "when", "how", "did", "does", "do", "is",
                             "are", "was", "were", "can", "could", "tell", "show", "list", "any", "the", "and",
                             "arxiv", "paper", "papers"})


def last_user_message(messages: list[dict]) -> str:
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


def papers_block(papers: list[dict], focus: str = "") -> str:
    """The thread's papers, numbered; with a focus (the user's message), each with its abstract sentence that
    shares the most words with it."""
    lines = []
    for i, p in enumerate(papers, 1):
        line = f"[{i}] arXiv:{p['id']} {p['title']} ({p.get('year') or 'n.d.'})"
        if focus and p.get("abstract"):
            best = max(split_sentences(p["abstract"]) or [""], key=lambda sentence: overlap(focus, sentence))
            if overlap(focus, best) > 0:
                line += f" — “{best}”"
        lines.append(line)
    return "\n".join(lines) or "(none yet)"


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


def named_terms(message: str) -> list[str]:
    """The names in a message worth an exact search: datasets, models, languages (at most MAX_TERMS)."""
    terms: list[str] = []
    for match in _TOKEN.finditer(message):
        token = match.group().strip(".")
        if len(token) < 2 or token.lower() in _QUESTION_WORDS or re.fullmatch(r"\d{4}\.\d{4,5}|C\d+", token):
            continue
        inner_capital = any(c.isupper() for c in token[1:])
        letters_and_digits = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
        opens_message = not message[:match.start()].strip()
        capitalised_name = token[0].isupper() and not opens_message and len(token) > 3
        if (inner_capital or letters_and_digits or capitalised_name) and token.lower() not in map(str.lower, terms):
            terms.append(token)
    return terms[:MAX_TERMS]


def term_pattern(term: str) -> re.Pattern:
    """`term` as a whole word, in any case, with or without its hyphens ("PAWS-X", "PAWS X", "pawsx")."""
    parts = [re.escape(part) for part in re.split(r"[\-\s_]+", term) if part]
    return re.compile(r"(?<![A-Za-z0-9])" + r"[\-\s_]?".join(parts) + r"(?![A-Za-z0-9])", re.IGNORECASE)


def _shorten(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= MENTION_SENTENCE_CHARS else sentence[:MENTION_SENTENCE_CHARS - 1] + "…"


def mentions_block(papers: list[dict], message: str, stored_texts: Callable[[str], list[str]]) -> str:
    """For each named term of `message`: which listed papers mention it (with the first sentence that does)
    and which do not, by exact search of each paper's title, abstract and any indexed full text; empty when
    there is nothing to look up."""
    terms = named_terms(message)
    if not papers or not terms:
        return ""
    texts = {p["id"]: [p.get("title", ""), p.get("abstract", ""), *stored_texts(p["id"])] for p in papers}
    lines = []
    for term in terms:
        pattern, found, absent = term_pattern(term), [], []
        for i, p in enumerate(papers, 1):
            sentence = next((s for text in texts[p["id"]] for s in split_sentences(text or "") if pattern.search(s)),
                            None)
            if sentence is None:
                absent.append(f"[{i}]")
            else:
                found.append(f"[{i}] arXiv:{p['id']} (“{_shorten(sentence)}”)")
        if not found:
            lines.append(f"- {term}: NONE of the listed papers mentions {term} (all {len(papers)} searched)")
            continue
        lines.append(f"- {term}: mentioned only in " + "; ".join(found)
                     + (f". Not mentioned in {' '.join(absent)}" if absent else ""))
    return "\n".join(lines)
