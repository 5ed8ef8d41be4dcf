"""`agent search` and `agent index`: the search layer from the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.cli.options import DataDir, Offline, settings_from
from agent.errors import InputError
from agent.literature.plan import make_plan
from agent.services import Services
from tools.library import PaperFilter
from tools.llm.base import InvalidModelOutput
from tools.paper_import import read_papers_jsonl

if TYPE_CHECKING:
    from tools.bib_import import BibPaper

console = Console(stderr=True, soft_wrap=True)  # one message, one line: greppable logs
stdout = Console()


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def _filters(year_from: int | None, year_to: int | None, categories: list[str] | None):
    if year_from and year_to and year_from > year_to:
        raise InputError(f"--year-from {year_from} is after --year-to {year_to}")
    return PaperFilter(year_from=year_from, year_to=year_to, categories=categories or [])


def search(
    query: str = typer.Argument(..., help="What to look for: keywords or a research question."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="How many papers to list."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of {id, title, year, score}, best first."),
    offline: Offline = False,
    plan: bool = typer.Option(False, "--plan", help="Let the model plan several queries first (slower)."),
    year_from: Optional[int] = typer.Option(None, "--year-from", help="Only papers from this year on."),
    year_to: Optional[int] = typer.Option(None, "--year-to", help="Only papers up to this year."),
    category: Optional[list[str]] = typer.Option(None, "--category", help="arXiv category, e.g. cs.CL (repeatable)."),
    data_dir: DataDir = None,
) -> None:
    """Find papers: the offline snapshot (BM25 + embeddings), your library, and arXiv when reachable."""
    query = " ".join(query.split())
    if not query:
        raise InputError("the query is empty")
    filters = _filters(year_from, year_to, category)
    services = Services(settings=settings_from(offline=offline, data_dir=data_dir))
    queries: list[str] = []
    if plan:
        try:
            with console.status("planning queries"):
                queries, _ = make_plan(query, services.provider)
        except InvalidModelOutput as exc:
            console.print(f"[yellow]warning:[/yellow] planning failed ({exc}); searching with the query alone")
    outcome = services.search.search(queries, query, limit=k, filters=None if filters.is_empty() else filters)
    for warning in outcome.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    rows = [{"id": p.id, "title": p.title, "year": p.year, "score": outcome.scores[p.id]} for p in outcome.papers]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} papers · sources: {', '.join(outcome.sources)}"
                        + (f" · queries: {'; '.join(queries)}" if queries else ""))
    for column in ("#", "id", "year", "score", "title"):
        table.add_column(column, overflow="fold")
    for rank, row in enumerate(rows, start=1):
        table.add_row(str(rank), row["id"], str(row["year"] or ""), f"{row['score']:.3f}", row["title"])
    stdout.print(table)


def index(
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help="A JSONL (or .jsonl.gz) file of papers."),
    arxiv_query: Optional[str] = typer.Option(
        None, "--arxiv", help="An arXiv API query, e.g. 'cat:cs.CL AND ti:cross-lingual'."
    ),
    pdf: Optional[list[Path]] = typer.Option(
        None, "--pdf", help="A local PDF (repeatable; a folder adds every PDF in it)."
    ),
    bib: Optional[Path] = typer.Option(
        None, "--bib", help="A BibTeX export of a reference manager (Zotero, Mendeley, JabRef)."
    ),
    pdf_dir: Optional[Path] = typer.Option(
        None, "--pdf-dir", help="Where the --bib entries' PDFs are (their `file` fields, <key>.pdf, <arXiv id>.pdf)."
    ),
    max_results: int = typer.Option(50, "--max", min=1, max=2000, help="Papers to take from the arXiv query."),
    full_text: bool = typer.Option(False, "--full-text", help="Also download and index each arXiv paper's PDF."),
    data_dir: DataDir = None,
) -> None:
    """Add papers to the library (deduplicated by id), from a file, an arXiv query, PDFs or a BibTeX export."""
    if pdf_dir and not bib:
        raise InputError("--pdf-dir goes with --bib (for PDFs alone, use --pdf DIR)")
    if not (jsonl or arxiv_query or pdf or bib):
        raise InputError("nothing to index: give --jsonl FILE, --arxiv QUERY, --pdf PATH or --bib FILE")
    services = Services(settings=settings_from(data_dir=data_dir))
    library = services.library
    papers = []
    if jsonl:
        imported = read_papers_jsonl(jsonl)
        _report_problems(jsonl, imported.problems, bool(imported.papers), "bad line(s)")
        papers += imported.papers
    with_pdfs: list[BibPaper] = []
    if bib:
        from tools.bib_import import read_bibtex  # bibtexparser and pylatexenc: only for --bib

        from_bib = read_bibtex(bib, pdf_dir)
        _report_problems(bib, from_bib.problems, bool(from_bib.papers), "unusable entries")
        papers += [entry.paper for entry in from_bib.papers if not entry.pdfs]
        with_pdfs = [entry for entry in from_bib.papers if entry.pdfs]
    if arxiv_query:
        if services.arxiv is None:
            raise InputError("--arxiv needs the network, and AGENT_OFFLINE is set")
        with console.status(f"querying arXiv: {arxiv_query}"):
            papers += services.arxiv.search(arxiv_query, max_results=max_results)
    added = 0
    if papers:
        with _progress() as progress:
            task = progress.add_task("indexing papers", total=len(papers))
            added = library.add_papers(papers, progress=lambda n: progress.advance(task, n))
    stdout.print(f"papers: {len(papers)} read, {added} new, {len(papers) - added} already in the library")
    chunks = 0
    if full_text and arxiv_query:
        chunks += _read_full_texts(papers, services)
    if pdf:
        chunks += _index_pdfs(pdf, services)
    if with_pdfs:
        chunks += _index_bib_pdfs(with_pdfs, services)
    if chunks:
        stdout.print(f"full text: {chunks} chunks stored")
    stdout.print(f"library: {library.count_papers()} papers at {library.location}")


def _report_problems(path: Path, problems: list[str], read_any: bool, what: str) -> None:
    """Name the skipped lines or entries (the first ten); none read at all is an error."""
    if problems and not read_any:
        raise InputError(f"no papers read from {path}: {len(problems)} {what}, the first: {problems[0]}")
    for problem in problems[:10]:
        console.print(f"[yellow]skipped[/yellow] {path}: {problem}")
    if len(problems) > 10:
        console.print(f"[yellow]skipped[/yellow] {len(problems) - 10} more {what}")


def _index_bib_pdfs(entries: list[BibPaper], services: Services) -> int:
    from tools.fulltext import FullTextError

    stored = 0
    with _progress() as progress:
        task = progress.add_task("reading the entries' PDFs", total=len(entries))
        for entry in entries:
            try:
                n = services.reader.index_with_pdfs(entry.paper, entry.pdfs)
                console.print(f"indexed {entry.pdfs[0].name} as {entry.paper.id}: {n} chunks")
                stored += n
            except FullTextError as exc:
                kept = "abstract kept" if entry.paper.abstract else "not indexed"
                console.print(f"[yellow]no full text[/yellow] for {entry.paper.id} ({kept}): {exc}")
            progress.advance(task)
    return stored


def _read_full_texts(papers, services: Services) -> int:
    with _progress() as progress:
        task = progress.add_task("downloading and indexing PDFs", total=len(papers))
        return services.reader.fetch_all(
            papers, on_progress=lambda done, total: progress.update(task, completed=done),
            on_failure=lambda paper, exc: console.print(f"[yellow]no full text[/yellow] for {paper.id}: {exc}"))


def _index_pdfs(paths: list[Path], services: Services) -> int:
    with _progress() as progress:
        task = progress.add_task("reading PDFs", total=None)
        return services.reader.index_pdfs(
            paths, on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            on_indexed=lambda path, paper, n: console.print(f"indexed {path.name} as {paper.id}: {n} chunks"),
            on_failure=lambda path, exc: console.print(f"[yellow]skipped[/yellow] {path}: {exc}"))
