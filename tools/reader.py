"""Full text into the library: arXiv PDFs (downloaded politely, cached) and local PDF files."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from agent.errors import InputError
from tools.arxiv_tool import shared_rate_limiter
from tools.fulltext import Chunk, FullTextError, arxiv_pdf_url, download_pdf, extract_pages, pdf_chunks
from tools.papers import Paper
from tools.snapshot import snapshot_by_id

if TYPE_CHECKING:
    from agent.services import Services

log = logging.getLogger(__name__)
_ARXIV_FILE = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ABSTRACT_CHARS = 1500


def _safe_name(paper_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9.\-]", "_", paper_id)


def fetch_full_text(paper: Paper, services: Services) -> int:
    """Download (once; cached in the data dir) and index the paper's arXiv PDF; returns chunks stored.

    Raises FullTextError when the PDF cannot be had or read; the paper's abstract stays indexed."""
    settings = services.settings
    pdf_path = settings.cache_dir / "pdf" / f"{_safe_name(paper.id)}.pdf"
    if not pdf_path.exists():
        url = arxiv_pdf_url(paper.id)
        shared_rate_limiter(url).wait(settings.arxiv_delay_seconds)
        download_pdf(url, pdf_path, timeout=settings.arxiv_timeout)
    return services.library.add_full_text(paper, pdf_chunks(pdf_path))


def read_full_texts(papers: list[Paper], services: Services, progress_factory: Callable, console) -> int:
    """Full text of each paper; a paper whose PDF fails is reported in one line and skipped."""
    stored = 0
    with progress_factory() as progress:
        task = progress.add_task("downloading and indexing PDFs", total=len(papers))
        for paper in papers:
            try:
                stored += fetch_full_text(paper, services)
            except FullTextError as exc:
                console.print(f"[yellow]no full text[/yellow] for {paper.id}: {exc}")
            progress.advance(task)
    return stored


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


def paper_for_pdf(path: Path, pages: list[str], chunks: list[Chunk]) -> Paper:
    """The paper a local PDF is: the snapshot's record when its file name is an arXiv id, otherwise a
    `local:` paper titled by its first line, with the text after "Abstract" (or its opening) as abstract."""
    match = _ARXIV_FILE.match(path.stem)
    if match and (known := snapshot_by_id().get(match.group(1))):
        return known.model_copy(update={"source": f"pdf:{path.name}"})
    first_lines = [line.strip() for line in (pages[0] if pages else "").splitlines() if line.strip()]
    title = first_lines[0][:300] if first_lines else path.stem
    text = " ".join(chunk.text for chunk in chunks[:3])
    after = re.split(r"\babstract\b[:.\s]*", text, maxsplit=1, flags=re.IGNORECASE)
    abstract = (after[1] if len(after) == 2 else text)[:_ABSTRACT_CHARS]
    paper_id = match.group(1) if match else f"local:{_safe_name(path.stem)}"
    return Paper(id=paper_id, title=title, abstract=abstract, source=f"pdf:{path.name}",
                 url=path.resolve().as_uri())


def index_local_pdfs(paths: list[Path], services: Services, progress_factory: Callable, console) -> int:
    files = _pdf_files(paths)
    stored = 0
    with progress_factory() as progress:
        task = progress.add_task("reading PDFs", total=len(files))
        for path in files:
            try:
                chunks = pdf_chunks(path)
                paper = paper_for_pdf(path, extract_pages(path), chunks)
                stored += services.library.add_full_text(paper, chunks)
                console.print(f"indexed {path.name} as {paper.id}: {len(chunks)} chunks")
            except FullTextError as exc:
                console.print(f"[yellow]skipped[/yellow] {path}: {exc}")
            progress.advance(task)
    return stored
