"""Which words are names: the datasets, benchmarks, models, methods and languages of a corpus, learnt from how
the corpus writes them.

A word the abstracts capitalise in mid-sentence almost every time (XNLI, German, Wikipedia) is a name; a word
they write in lower case (give, results, transfer) is an ordinary word however a user types it, so "Give
arXiv ids" names nothing. Tokens with a capital after the first letter or digits among letters (mBERT,
XLM-R, mT5) are names wherever they stand. A hyphenated lower-case term the corpus uses in few papers
(code-switching, translate-train) is a method name; one it uses everywhere (cross-lingual) is not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-\.]*[A-Za-z0-9]")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
NAME_SHARE = 0.8  # share of mid-sentence uses that are capitalised for a word to count as a name
MIN_USES = 3
RARE_SHARE = 0.02  # a hyphenated lower-case term in at most this share of documents is a method name
NOT_A_NAME = re.compile(r"arxiv|ids?|C\d+|v\d+|\d+(?:\.\d+)*[a-z]?", re.IGNORECASE)  # ids and numbers


def is_shaped_like_a_name(token: str) -> bool:
    """mBERT, XLM-R, mT5, PAWS-X: a capital after the first letter, or digits among letters."""
    inner_capital = any(c.isupper() for c in token[1:])
    letters_and_digits = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
    return inner_capital or letters_and_digits


def tokens_with_position(text: str) -> Iterable[tuple[str, bool]]:
    """Each token of `text` and whether it opens a sentence (where capitals say nothing)."""
    previous_end = 0
    for match in TOKEN.finditer(text):
        gap = text[previous_end:match.start()]
        opens = (previous_end == 0 and not gap.strip()) or bool(_SENTENCE_END.search(gap))
        yield match.group().strip("."), opens
        previous_end = match.end()


@dataclass
class Vocabulary:
    capitalised: Counter = field(default_factory=Counter)  # lower-cased word -> capitalised mid-sentence uses
    lowercase: Counter = field(default_factory=Counter)  # lower-cased word -> lower-case mid-sentence uses
    documents: Counter = field(default_factory=Counter)  # lower-cased word -> documents using it
    size: int = 0  # documents counted

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "Vocabulary":
        vocabulary = cls()
        vocabulary.add(texts)
        return vocabulary

    def add(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.size += 1
            seen = set()
            for token, opens_sentence in tokens_with_position(text):
                lowered = token.lower()
                seen.add(lowered)
                if not opens_sentence:
                    (self.capitalised if token[0].isupper() else self.lowercase)[lowered] += 1
            self.documents.update(seen)

    def merged(self, texts: Iterable[str]) -> "Vocabulary":
        """This vocabulary with more texts counted (a thread's papers), leaving this one as it is."""
        copy = Vocabulary(Counter(self.capitalised), Counter(self.lowercase), Counter(self.documents), self.size)
        copy.add(texts)
        return copy

    def is_name(self, token: str, opens_sentence: bool) -> bool:
        if len(token) < 2 or NOT_A_NAME.fullmatch(token):
            return False
        if is_shaped_like_a_name(token):
            return True
        lowered = token.lower()
        upper, lower = self.capitalised[lowered], self.lowercase[lowered]
        if upper + lower >= MIN_USES:
            if upper / (upper + lower) >= NAME_SHARE:
                return True
            return "-" in token and self.documents[lowered] <= RARE_SHARE * max(self.size, 1)
        if "-" in token and token.islower():  # a compound the corpus hardly uses: a technical term
            return True
        # a word the corpus hardly knows: a name when the user capitalises it where capitals mean something
        return token[0].isupper() and not opens_sentence and len(token) > 3 and upper + lower == 0

    def is_rare(self, term: str) -> bool:
        """A name few documents use (PAWS-X, translate-train; not German or BERT): naming it picks papers out."""
        return self.documents[term.lower()] <= RARE_SHARE * max(self.size, 1)

    def names_in(self, text: str, limit: int) -> list[str]:
        """The names in `text`, in order, each once (case-insensitively), at most `limit`."""
        names: list[str] = []
        for token, opens_sentence in tokens_with_position(text):
            if self.is_name(token, opens_sentence) and token.lower() not in {n.lower() for n in names}:
                names.append(token)
        return names[:limit]
