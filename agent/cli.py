"""The `agent` command."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent import chat_cli, library_cli
from agent.errors import AgentError, InputError
from agent.eval_cli import eval_app
from agent.experiment_cli import experiment_app
from agent.report_cli import report_app
from agent.settings import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Research assistant for ML/NLP scientists: cited, verified literature reports.")
console = Console(stderr=True)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress detail to stderr."),
    log_json: bool = typer.Option(False, "--log-json", help="Log one JSON object a line to stderr."),
) -> None:
    """Research assistant for ML/NLP scientists. LangSmith tracing is on when LANGSMITH_TRACING=true is set."""
    from agent.logs import configure_logging

    configure_logging(verbose, log_json)


app.add_typer(eval_app, name="eval")
app.add_typer(report_app, name="report")
app.add_typer(experiment_app, name="experiment")
app.command("search")(library_cli.search)
app.command("chat")(chat_cli.chat)
app.command("index")(library_cli.index)
stdout = Console()


def _settings(provider: str | None, model: str | None, offline: bool | None, data_dir: Path | None,
              max_papers: int | None):
    return load_settings(provider=provider, model=model, offline=offline or None, data_dir=data_dir,
                         max_papers=max_papers)


@app.command()
def ask(
    question: Optional[str] = typer.Argument(None, help="The research question."),
    out: Optional[Path] = typer.Option(None, "--out", help="Directory for report.md and report.json."),
    provider: Optional[str] = typer.Option(None, help="local | openai (default: AGENT_PROVIDER)."),
    model: Optional[str] = typer.Option(None, help="Model name or GGUF path (default: AGENT_MODEL)."),
    offline: bool = typer.Option(False, "--offline", help="Search the bundled snapshot only."),
    data_dir: Optional[Path] = typer.Option(None, help="Data directory (default: AGENT_DATA_DIR)."),
    max_papers: Optional[int] = typer.Option(None, help="Papers to read (default: AGENT_MAX_PAPERS)."),
    yes: bool = typer.Option(False, "--yes", help="Approve a proposed experiment without asking."),
    no_experiments: bool = typer.Option(False, "--no-experiments", help="Never propose an experiment."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Call the model even for requests answered before."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Finish the run RUN_ID from its last checkpoint."),
) -> None:
    """Answer a research question with a cited, verified report."""
    from agent.progress import RunProgress
    from agent.runner import default_out_dir, new_run_id, resume_target, run_research, validate_question
    from agent.services import Services

    settings = _settings(provider, model, offline, data_dir, max_papers)
    if no_cache:
        settings = settings.model_copy(update={"cache_responses": False})
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
                              on_interrupt=lambda payload: _approve_experiment(payload, progress),
                              run_id=run_id, resume=bool(resume))
    _print_summary(report, out_dir)


@app.command()
def verify(
    claim: str = typer.Argument(..., help="One factual claim, e.g. 'SALT improves zero-shot transfer on PAWS-X'."),
    paper: Optional[str] = typer.Option(None, "--paper", help="arXiv id of the paper the claim comes from."),
    as_json: bool = typer.Option(False, "--json", help="Print the verified claim as JSON."),
    provider: Optional[str] = typer.Option(None, help="local | openai (default: AGENT_PROVIDER)."),
    model: Optional[str] = typer.Option(None, help="Model name or GGUF path (default: AGENT_MODEL)."),
    offline: bool = typer.Option(False, "--offline", help="Search the bundled snapshot and the library only."),
    data_dir: Optional[Path] = typer.Option(None, help="Data directory (default: AGENT_DATA_DIR)."),
) -> None:
    """Check one claim: verdict, quoted evidence with arXiv ids and stances, and a confidence."""
    from agent.claim_check import check_claim, validate_claim
    from agent.services import Services

    validate_claim(claim)
    services = Services(settings=_settings(provider, model, offline, data_dir, None))
    with console.status("finding evidence and judging it"):
        result, warnings = check_claim(claim, services, paper_id=paper)
    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if as_json:
        print(result.model_dump_json(indent=2))
        return
    calibration = "calibrated" if result.calibrated else "UNCALIBRATED: raw model probability"
    stdout.print(f"[bold]{result.verdict}[/bold] · confidence {result.confidence:.2f} ({calibration})")
    stdout.print(f"claim: {result.text}")
    stdout.print(f"source: {result.paper_id}" + ("" if paper else " (best-matching paper; use --paper to name one)"))
    table = Table(title="Evidence", show_lines=True)
    for column in ("paper", "stance", "p", "quote"):
        table.add_column(column, overflow="fold")
    for evidence in result.evidence:
        label = evidence.paper_id + (" (source)" if evidence.is_source else "")
        table.add_row(label, evidence.stance, f"{evidence.probabilities[evidence.stance]:.2f}", f'"{evidence.quote}"')
    stdout.print(table)


def _approve_experiment(payload: dict, progress) -> dict:
    """Ask on the terminal whether to run the experiment the graph proposes; decline when nobody can answer."""
    from agent.experiments import approval_summary

    console.print(f"[bold]proposed experiment:[/bold] {escape(approval_summary(payload))}\n"
                  f"[dim]{escape(payload.get('reason', ''))}[/dim]", soft_wrap=True)
    if not sys.stdin.isatty():
        console.print("[yellow]not run:[/yellow] no terminal to ask for approval (pass --yes to approve)")
        return {"approve": False}
    with progress.paused():
        return {"approve": typer.confirm("Run it?", default=False)}


def _print_summary(report, out_dir: Path) -> None:
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


def main() -> None:
    from agent.logs import configure_logging

    configure_logging()
    try:
        app()  # standalone: usage errors print themselves and exit 2
    except AgentError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]")
        sys.exit(130)
    except Exception as exc:  # anything unexpected: one line here, the traceback in a log file
        log_path = Path.home() / ".cache" / "research-agent-crash.log"
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(traceback.format_exc(), encoding="utf-8")
            where = f" (details in {log_path})"
        except OSError:
            where = ""
        console.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))}{where}", soft_wrap=True, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
