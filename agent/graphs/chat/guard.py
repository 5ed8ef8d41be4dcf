"""The citation guard of the chat's streamed answer: an invented paper id never reaches the screen."""

from __future__ import annotations

from agent.claims.citations import cited_paper_ids, drop_unknown_papers
from tools.library import PaperLibrary


class CitationGuard:
    """Streams text word by word, replacing each paper id that is neither in the thread nor in the library
    before it is shown."""

    def __init__(self, known: set[str], library: PaperLibrary) -> None:
        self.known, self.library, self.buffer, self.dropped = set(known), library, "", []

    def _checked(self, text: str) -> str:
        for pid in cited_paper_ids(text):
            if pid not in self.known and self.library.get_paper(pid) is not None:
                self.known.add(pid)
        text, dropped = drop_unknown_papers(text, self.known)
        self.dropped += dropped
        return text

    def feed(self, piece: str) -> str:
        self.buffer += piece
        cut = max(self.buffer.rfind(" "), self.buffer.rfind("\n"))
        if cut < 0:
            return ""
        ready, self.buffer = self.buffer[:cut + 1], self.buffer[cut + 1:]
        return self._checked(ready)

    def flush(self) -> str:
        rest, self.buffer = self.buffer, ""
        return self._checked(rest)
