"""Citations in an answer: `[C1, C3; arXiv:2309.10891, arXiv:2310.00001]`, claim ids then the papers they rest on.

One grammar for the synthesizer that writes them, the checks that audit them and the renderers that link them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.records import Claim

CLAIM_CITATION = re.compile(r"\[(C\d+(?:\s*,\s*C\d+)*)\]")
_PAPER = r"(?:arXiv:[A-Za-z0-9.\-/]*[A-Za-z0-9]|local:[\w.\-]*\w)"
CITATION = re.compile(rf"\[(C\d+(?:\s*,\s*C\d+)*)(?:;\s*({_PAPER}(?:\s*,\s*{_PAPER})*))?\]")
CLAIM_ID = re.compile(r"\bC\d+\b")
PAPER_REF = re.compile(_PAPER)


def paper_ref(paper_id: str) -> str:
    """How a citation names a paper: `arXiv:2309.10891`, or `local:<name>` for a PDF indexed from disk."""
    return paper_id if paper_id.startswith("local:") else f"arXiv:{paper_id}"


def paper_id_of(ref: str) -> str:
    return ref.removeprefix("arXiv:")


def claim_number(claim_id: str) -> int:
    return int(claim_id[1:])


def with_paper_ids(answer: str, claims: Iterable[Claim]) -> str:
    """Add the arXiv ids of the cited claims' source papers to every `[C…]` citation."""
    paper_of = {c.id: c.paper_id for c in claims}

    def annotate(match: re.Match) -> str:
        ids = [part.strip() for part in match.group(1).split(",")]
        papers = list(dict.fromkeys(paper_of[i] for i in ids if i in paper_of))
        suffix = "; " + ", ".join(paper_ref(p) for p in papers) if papers else ""
        return f"[{', '.join(ids)}{suffix}]"

    return CLAIM_CITATION.sub(annotate, answer)


def cited_claim_ids(text: str) -> list[str]:
    found = [cid for match in CITATION.finditer(text) for cid in CLAIM_ID.findall(match.group(1))]
    return list(dict.fromkeys(found))


def cited_paper_ids(text: str) -> list[str]:
    """Every paper id the text cites (`arXiv:…` or `local:…`), inside a citation or in running text."""
    return list(dict.fromkeys(paper_id_of(ref) for ref in PAPER_REF.findall(text)))


def drop_unknown_papers(text: str, known_ids: set[str]) -> tuple[str, list[str]]:
    """Remove paper ids that no reference backs from running text and citations; return what was dropped."""
    dropped = [pid for pid in cited_paper_ids(text) if pid not in known_ids]
    if not dropped:
        return text, []

    def fix_citation(match: re.Match) -> str:
        kept = [
            ref.strip()
            for ref in (match.group(2) or "").split(",")
            if ref.strip() and paper_id_of(ref.strip()) in known_ids
        ]
        return f"[{match.group(1)}{'; ' + ', '.join(kept) if kept else ''}]"

    text = CITATION.sub(fix_citation, text)
    text = PAPER_REF.sub(lambda m: m.group(0) if paper_id_of(m.group(0)) in known_ids else "an unlisted paper", text)
    return text, dropped
