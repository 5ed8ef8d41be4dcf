"""`agent ask`: one research question in, a cited and verified report out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.cli.options import DataDir, Model, Offline, Out, Provider, settings_from
from agent.errors import InputError
from agent.services import Services

if TYPE_CHECKING:
    from agent.cli.progress import RunProgress
    from agent.experiments.approval import ApprovalRequest
    from agent.report.model import Report

console = Console(stderr=True)
stdout = Console()


def ask(
    question: Optional[str] = typer.Argument(None, help="The research question."),
    out: Out = None,
    provider: Provider = None,
    model: Model = None,
    offline: Offline = False,
    data_dir: DataDir = None,
    max_papers: Optional[int] = typer.Option(None, help="Papers to read (default: AGENT_MAX_PAPERS)."),
    yes: bool = typer.Option(False, "--yes", help="Approve a proposed experiment without asking."),
    no_experiments: bool = typer.Option(False, "--no-experiments", help="Never propose an experiment."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Call the model even for requests answered before."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Finish the run RUN_ID from its last checkpoint."),
) -> None:
    """Answer a research question with a cited, verified report (in --out, default runs/<time>-<question>)."""
    from agent.cli.progress import RunProgress
    from agent.graphs.research.run import default_out_dir, new_run_id, resume_target, run_research, validate_question

    settings = settings_from(provider=provider, model=model, offline=offline, data_dir=data_dir,
                             max_papers=max_papers, cache_responses=False if no_cache else None)
    services = Services(settings=settings)
    if resume:
        if question:
            raise InputError("give either a question or --resume RUN_ID, not both")
        question, out_dir = resume_target(resume, services)
        run_id = resume
    else:
        question = validate_question(question or "")
        out_dir = out or default_out_dir(question)
        run_id = new_run_id()
    console.print(f"[bold]question:[/bold] {escape(question)}", soft_wrap=True)
    console.print(f"[dim]run {run_id}{' (resumed)' if resume else ''} · provider {settings.provider} · model "
                  f"{settings.model} · data {settings.data_dir}[/dim]", soft_wrap=True)
    policy = "no" if no_experiments else "yes" if yes else "ask"
    with RunProgress(console, settings.max_papers) as progress:
        report = run_research(question, services, out_dir, on_event=progress.on_event, experiments=policy,
                              on_interrupt=lambda request: _approve_experiment(request, progress),
                              run_id=run_id, resume=bool(resume))
    _print_summary(report, out_dir)


def _approve_experiment(request: ApprovalRequest, progress: RunProgress) -> dict:
    """Ask on the terminal whether to run the experiment the graph proposes; decline when nobody can answer."""
    from agent.experiments.approval import approval_summary

    console.print(f"[bold]proposed experiment:[/bold] {escape(approval_summary(request))}\n"
                  f"[dim]{escape(request.get('reason', ''))}[/dim]", soft_wrap=True)
    if not sys.stdin.isatty():
        console.print("[yellow]not run:[/yellow] no terminal to ask for approval (pass --yes to approve)")
        return {"approve": False}
    with progress.paused():
        return {"approve": typer.confirm("Run it?", default=False)}


def _print_summary(report: Report, out_dir: Path) -> None:
    table = Table(title="Claims", show_lines=False)
    for column in ("id", "verdict", "conf.", "paper", "claim"):
        table.add_column(column, overflow="fold")
    for claim in report.claims:
        table.add_row(claim.id, claim.verdict, f"{claim.confidence:.2f}", claim.paper_id, claim.text)
    stdout.print(table)
    stdout.print(f"\n[bold]Answer[/bold]\n{report.answer}\n")
    usage = report.usage
    stdout.print(f"papers read {report.method.papers_read} · claims {len(report.claims)} · "
                 f"review {report.review.score}/5 · {usage.llm_calls} model calls"
                 f"{f' ({usage.cached_calls} more from the cache)' if usage.cached_calls else ''} · "
                 f"{usage.prompt_tokens}+{usage.completion_tokens} tokens · {usage.wall_seconds:.0f} s")
    for label, name in (("report", "report.html"), ("", "report.md"), ("json", "report.json")):
        stdout.print(f"{label + ':' if label else '':<8}{out_dir / name}", soft_wrap=True, highlight=False)
