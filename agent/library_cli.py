"""`agent search` and `agent index`: the search layer from the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.errors import InputError
from agent.settings import load_settings

console = Console(stderr=True, soft_wrap=True)  # one message, one line: greppable logs
stdout = Console()


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def _ensure_snapshot(services) -> None:
    with _progress() as progress:
        task = progress.add_task("indexing the offline arXiv snapshot (first use)", total=None)
        services.library.ensure_snapshot_indexed(
            progress=lambda done, total: progress.update(task, completed=done, total=total))


def _filters(year_from: int | None, year_to: int | None, categories: list[str] | None):
    from tools.library import PaperFilter

    if year_from and year_to and year_from > year_to:
        raise InputError(f"--year-from {year_from} is after --year-to {year_to}")
    return PaperFilter(year_from=year_from, year_to=year_to, categories=categories or [])


def search(
    query: str = typer.Argument(..., help="What to look for: keywords or a research question."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="How many papers to list."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of {id, title, year, score}, best first."),
    offline: bool = typer.Option(False, "--offline", help="Search the bundled snapshot and the library only."),
    plan: bool = typer.Option(False, "--plan", help="Let the model plan several queries first (slower)."),
    year_from: Optional[int] = typer.Option(None, "--year-from", help="Only papers from this year on."),
    year_to: Optional[int] = typer.Option(None, "--year-to", help="Only papers up to this year."),
    category: Optional[list[str]] = typer.Option(None, "--category", help="arXiv category, e.g. cs.CL (repeatable)."),
    data_dir: Optional[Path] = typer.Option(None, help="Data directory (default: AGENT_DATA_DIR)."),
) -> None:
    """Find papers: the offline snapshot (BM25 + embeddings), your library, and arXiv when reachable."""
    from agent.services import Services

    query = " ".join(query.split())
    if not query:
        raise InputError("the query is empty")
    filters = _filters(year_from, year_to, category)
    services = Services(settings=load_settings(offline=offline or None, data_dir=data_dir))
    _ensure_snapshot(services)
    queries: list[str] = []
    if plan:
        from agent.nodes.plan import make_plan
        from tools.llm.base import InvalidModelOutput

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
    arxiv_query: Optional[str] = typer.Option(None, "--arxiv", help="An arXiv API query, e.g. 'cat:cs.CL AND ti:cross-lingual'."),
    pdf: Optional[list[Path]] = typer.Option(None, "--pdf", help="A local PDF (repeatable; a folder adds every PDF in it)."),
    max_results: int = typer.Option(50, "--max", min=1, max=2000, help="Papers to take from the arXiv query."),
    full_text: bool = typer.Option(False, "--full-text", help="Also download and index each arXiv paper's PDF."),
    data_dir: Optional[Path] = typer.Option(None, help="Data directory (default: AGENT_DATA_DIR)."),
) -> None:
    """Add papers to the library (deduplicated by arXiv id), from a file, an arXiv query or PDFs."""
    from agent.services import Services

    if not (jsonl or arxiv_query or pdf):
        raise InputError("nothing to index: give --jsonl FILE, --arxiv QUERY or --pdf PATH")
    services = Services(settings=load_settings(data_dir=data_dir))
    library = services.library
    papers = []
    if jsonl:
        from tools.paper_import import read_papers_jsonl

        imported = read_papers_jsonl(jsonl)
        if imported.problems and not imported.papers:
            raise InputError(f"no papers read from {jsonl}: {len(imported.problems)} bad line(s), the first: "
                             f"{imported.problems[0]}")
        for problem in imported.problems[:10]:
            console.print(f"[yellow]skipped[/yellow] {jsonl}: {problem}")
        if len(imported.problems) > 10:
            console.print(f"[yellow]skipped[/yellow] {len(imported.problems) - 10} more bad lines")
        papers += imported.papers
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
        from tools.reader import read_full_texts

        chunks += read_full_texts(papers, services, progress_factory=_progress, console=console)
    if pdf:
        from tools.reader import index_local_pdfs

        chunks += index_local_pdfs(pdf, services, progress_factory=_progress, console=console)
    if chunks:
        stdout.print(f"full text: {chunks} chunks stored")
    stdout.print(f"library: {library.count_papers()} papers at {library.location}")
