"""The typed record of a paper, shared by the arXiv tool, the snapshot and the library."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

_VERSION_SUFFIX = re.compile(r"v\d+$")


def normalize_arxiv_id(raw: str) -> str:
    """`http://arxiv.org/abs/2104.07412v2` -> `2104.07412`; old-style ids keep their archive."""
    value = raw.strip()
    for prefix in ("https://arxiv.org/abs/", "http://arxiv.org/abs/", "arxiv:", "arXiv:"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    return _VERSION_SUFFIX.sub("", value)


class Paper(BaseModel):
    id: str = Field(description="arXiv id without version suffix")
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    abstract: str = ""
    categories: list[str] = Field(default_factory=list)
    url: str = ""
    source: str = Field("", description="where this record came from (snapshot file, live arXiv, ...)")
    bib_entry: dict[str, str] = Field(default_factory=dict, description=(
        "the reference manager's BibTeX entry it was imported from (`agent index --bib`): its fields, with the "
        "entry type under `ENTRYTYPE` and the citation key under `ID`; empty for papers from arXiv"))

    def model_post_init(self, __context) -> None:
        self.id = normalize_arxiv_id(self.id)
        if not self.url:
            self.url = f"https://arxiv.org/abs/{self.id}"

    @property
    def is_local(self) -> bool:
        """A paper from the user's own files or reference manager, not from arXiv (`local:` id)."""
        return self.id.startswith("local:")

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else "Unknown"
