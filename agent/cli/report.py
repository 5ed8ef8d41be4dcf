"""`agent report …`: work with the report of a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from agent.errors import InputError

report_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Render and check a run's report.")
stdout = Console()


@report_app.command("render")
def render(
    run_dir: Path = typer.Argument(..., help="A run directory (holding report.json) or a report.json file."),
    fmt: str = typer.Option("html", "--format", help="html | md | json | bib (references.bib) | csl "
                                                       "(references.json, CSL-JSON) | csv (claims.csv)"),
    out: Optional[Path] = typer.Option(None, "--out", help="Directory to write to (default: the run directory)."),
) -> None:
    """Write report.html, report.md, report.json, references.bib, references.json or claims.csv from a run's
    report.json."""
    from agent.report.files import FORMATS, write_report_files  # the renderings load matplotlib
    from agent.report.model import load_report

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    report = load_report(run_dir)
    target = out or (run_dir if run_dir.is_dir() else run_dir.parent)
    for path in write_report_files(report, target, (fmt,)):
        stdout.print(f"wrote {path}", soft_wrap=True, highlight=False)


@report_app.command("check")
def check(
    run_dir: Path = typer.Argument(..., help="A run directory (holding report.json) or a report.json file."),
) -> None:
    """Check that every citation has a reference and every reference is cited; exit 1 when one does not."""
    from agent.report.checks import citation_problems
    from agent.report.model import load_report

    report = load_report(run_dir)
    problems = citation_problems(report)
    checks = report.review.checks
    if checks:
        for name, share in checks:
            value = f"{100 * share.value:.0f}%" if share.value is not None else "–"
            stdout.print(f"{name.replace('_', ' ')}: {share.count}/{share.total} ({value})")
    for problem in problems:
        stdout.print(f"[red]problem:[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    stdout.print("citations and references are consistent")
