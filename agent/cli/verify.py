"""`agent verify`: check one claim against the papers it is about."""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from agent.cli.options import AsJson, DataDir, Model, Offline, Provider, settings_from
from agent.services import Services

console = Console(stderr=True)
stdout = Console()


def verify(
    claim: str = typer.Argument(..., help="One factual claim, e.g. 'SALT improves zero-shot transfer on PAWS-X'."),
    paper: Optional[str] = typer.Option(None, "--paper", help="arXiv id of the paper the claim comes from."),
    as_json: AsJson = False,
    provider: Provider = None,
    model: Model = None,
    offline: Offline = False,
    data_dir: DataDir = None,
) -> None:
    """Check one claim: verdict, quoted evidence with arXiv ids and stances, and a confidence."""
    from agent.graphs.context import RunContext
    from agent.graphs.verifier.check import check_claim, validate_claim

    validate_claim(claim)
    services = Services(settings=settings_from(provider=provider, model=model, offline=offline, data_dir=data_dir))
    with console.status("finding evidence and judging it"):
        result, warnings = check_claim(claim, RunContext(services), paper_id=paper)
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
