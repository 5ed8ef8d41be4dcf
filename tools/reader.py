"""Full text into the library: arXiv PDFs (downloaded politely, cached) and local PDF files."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Callable

from tools.arxiv_tool import shared_rate_limiter
from tools.errors import InputError
from tools.fulltext import Chunk, FullTextError, arxiv_pdf_url, download_pdf, extract_pages, pdf_chunks
from tools.library import PaperLibrary
from tools.papers import Paper
from tools.snapshot import snapshot_by_id

log = logging.getLogger(__name__)
_ARXIV_FILE = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ABSTRACT_CHARS = 1500

Progress = Callable[[int, int], None]  # (done, total)


def _safe_name(paper_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9.\-]", "_", paper_id)


def _pdf_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() == ".pdf")
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"no such file or folder: {path}")
    if not files:
        raise InputError(f"no PDF files in {', '.join(map(str, paths))}")
    return files


def abstract_of(chunks: list[Chunk]) -> str:
    """A PDF's abstract: the text after "Abstract" in its opening chunks (or the opening itself)."""
    text = " ".join(chunk.text for chunk in chunks[:3])
    after = re.split(r"\babstract\b[:.\s]*", text, maxsplit=1, flags=re.IGNORECASE)
    return (after[1] if len(after) == 2 else text)[:_ABSTRACT_CHARS]


def paper_for_pdf(path: Path, pages: list[str], chunks: list[Chunk]) -> Paper:
    """The paper a local PDF is: the snapshot's record when its file name is an arXiv id, otherwise a
    `local:` paper titled by its first line, with the text after "Abstract" (or its opening) as abstract."""
    match = _ARXIV_FILE.match(path.stem)
    if match and (known := snapshot_by_id().get(match.group(1))):
        return known.model_copy(update={"source": f"pdf:{path.name}"})
    first_lines = [line.strip() for line in (pages[0] if pages else "").splitlines() if line.strip()]
    title = first_lines[0][:300] if first_lines else path.stem
    abstract = abstract_of(chunks)
    paper_id = match.group(1) if match else f"local:{_safe_name(path.stem)}"
    return Paper(id=paper_id, title=title, abstract=abstract, source=f"pdf:{path.name}",
                 url=path.resolve().as_uri())


class FullTextReader:
    """Puts papers' full text into the library: arXiv PDFs, downloaded once into `pdf_dir` at arXiv's pace,
    and local PDF files. A paper whose PDF cannot be had or read keeps its abstract."""

    def __init__(self, library: PaperLibrary, pdf_dir: Path, *, delay_seconds: float = 3.0,
                 timeout: float = 15.0) -> None:
        self.library, self.pdf_dir = library, pdf_dir
        self.delay_seconds, self.timeout = delay_seconds, timeout

    def fetch(self, paper: Paper) -> int:
        """Download (once) and index the paper's arXiv PDF; returns the chunks stored.

        Raises FullTextError when the PDF cannot be had or read; the paper's abstract stays indexed."""
        pdf_path = self.pdf_dir / f"{_safe_name(paper.id)}.pdf"
        if not pdf_path.exists():
            url = arxiv_pdf_url(paper.id)
            shared_rate_limiter(url).wait(self.delay_seconds)
            download_pdf(url, pdf_path, timeout=self.timeout)
        return self.library.add_full_text(paper, pdf_chunks(pdf_path))

    def fetch_all(self, papers: list[Paper], on_progress: Progress | None = None,
                  on_failure: Callable[[Paper, FullTextError], None] | None = None) -> int:
        """The full text of each paper; a paper whose PDF fails is passed to `on_failure` and skipped."""
        stored = 0
        for done, paper in enumerate(papers, 1):
            try:
                stored += self.fetch(paper)
            except FullTextError as exc:
                if on_failure:
                    on_failure(paper, exc)
            if on_progress:
                on_progress(done, len(papers))
        return stored

    def index_with_pdfs(self, paper: Paper, pdfs: list[Path]) -> int:
        """Index a paper whose metadata is known (a reference manager's entry) with the first of its PDFs that
        reads; it takes its abstract from the PDF when it has none. Returns the chunks stored.

        Raises FullTextError when none reads: the paper is then indexed by its abstract alone, if it has one."""
        errors = []
        for path in pdfs:
            try:
                chunks = pdf_chunks(path)
            except FullTextError as exc:
                errors.append(f"{path.name}: {exc}")
                continue
            if not paper.abstract:
                paper = paper.model_copy(update={"abstract": abstract_of(chunks)})
            return self.library.add_full_text(paper, chunks)
        if paper.abstract:
            self.library.add_papers([paper])
        raise FullTextError("; ".join(errors) or "no PDF")

    def index_pdfs(self, paths: list[Path], on_progress: Progress | None = None,
                   on_indexed: Callable[[Path, Paper, int], None] | None = None,
                   on_failure: Callable[[Path, FullTextError], None] | None = None) -> int:
        """Index local PDFs (files, or every PDF in a folder); raises InputError when there is none."""
        files = _pdf_files(paths)
        stored = 0
        for done, path in enumerate(files, 1):
            try:
                chunks = pdf_chunks(path)
                paper = paper_for_pdf(path, extract_pages(path), chunks)
                stored += self.library.add_full_text(paper, chunks)
                if on_indexed:
                    on_indexed(path, paper, len(chunks))
            except FullTextError as exc:
                if on_failure:
                    on_failure(path, exc)
            if on_progress:
                on_progress(done, len(files))
        return stored
