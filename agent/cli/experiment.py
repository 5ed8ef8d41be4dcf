"""`agent experiment …`: run a zero-shot cross-lingual transfer experiment and read its results.

The user typed the command, so it asks no approval (the research graph does). Like every command module, it
imports what only running the command needs inside the command, so `agent --help` and `agent search` start fast.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.cli.options import AsJson, DataDir, settings_from
from agent.errors import InputError
from agent.services import Services

experiment_app = typer.Typer(add_completion=False, no_args_is_help=True,
                             help="Launch and follow cross-lingual transfer experiments (local, Ray or SLURM).")
stdout = Console()
console = Console(stderr=True)


def _manager(data_dir: Path | None):
    return Services(settings=settings_from(data_dir=data_dir)).experiments


def _spec_from_options(spec_path, task, model, train_lang, eval_langs, backend, seeds, epochs, learning_rate,
                       max_train, max_eval, gpus, timeout_minutes, pending_timeout_minutes):
    from tools.experiments.spec import load_spec, parse_spec

    if spec_path is not None:
        spec = load_spec(spec_path)
        return spec.model_copy(update={"backend": backend}) if backend else spec
    if not task or not eval_langs:
        raise InputError("give a spec file (agent experiment run SPEC.yaml) or --task and --eval-langs")
    hyper = {k: v for k, v in {"epochs": epochs, "learning_rate": learning_rate}.items() if v is not None}
    data = {k: v for k, v in {"max_train_examples": max_train, "max_eval_examples": max_eval}.items() if v is not None}
    resources = {k: v for k, v in {"gpus": gpus, "timeout_minutes": timeout_minutes,
                                   "pending_timeout_minutes": pending_timeout_minutes}.items() if v is not None}
    fields = {"task": task, "model": model, "train_language": train_lang, "eval_languages": eval_langs,
              "backend": backend or "local", "hyper_parameters": hyper, "data": data, "resources": resources}
    if seeds:
        fields["seeds"] = [part.strip() for part in seeds.split(",") if part.strip()]
    return parse_spec(fields)


def _results_table(report) -> Table:
    table = Table(title=f"{report.name} · {report.status}")
    for column in ("language", "ours", "published", "difference", "published by"):
        table.add_column(column, justify="right" if column in ("ours", "published", "difference") else "left")
    for r in report.per_language:
        table.add_row(r.language, f"{r.accuracy:.3f}" if r.accuracy is not None else "–",
                      f"{r.published.accuracy:.3f}" if r.published else "–",
                      f"{r.difference:+.3f}" if r.difference is not None else "–",
                      r.published.model if r.published else "")
    table.add_row("average", f"{report.average:.3f}" if report.average is not None else "–",
                  f"{report.published_average:.3f}" if report.published_average is not None else "–", "", "")
    return table


def _show_results(manager, record, as_json: bool) -> None:
    from agent.experiments.results import experiment_report, result_json
    from agent.report.plots import experiment_figure, save_png  # matplotlib: loaded only to draw

    report = experiment_report(record, manager.metrics(record.job_id))
    if as_json:
        print(json.dumps(result_json(report), indent=2))
        return
    stdout.print(_results_table(report))
    for note in report.notes:
        stdout.print(f"[dim]{escape(note)}[/dim]", soft_wrap=True)
    if report.average is not None:
        chart = manager.job_dir(record.job_id) / "results.png"
        save_png(experiment_figure(report), chart)
        stdout.print(f"chart: {chart}", soft_wrap=True, highlight=False)


def _last_progress_line(manager, job_id: str) -> str:
    lines = [line for line in manager.logs(job_id).splitlines() if line.startswith("[worker")]
    return lines[-1] if lines else ""


@experiment_app.command("run")
def run(
    spec_path: Optional[Path] = typer.Argument(None, metavar="[SPEC.yaml]", help="An experiment spec in YAML."),
    task: Optional[str] = typer.Option(None, help="pawsx | xnli"),
    model: str = typer.Option(
        "multilingual-e5-small", help="multilingual-e5-small (bundled), a local HF directory, or a hub name."
    ),
    train_lang: str = typer.Option("en", "--train-lang"),
    eval_langs: Optional[str] = typer.Option(None, "--eval-langs", help="Comma-separated, e.g. en,de,fr,sw."),
    backend: Optional[str] = typer.Option(None, help="local (default) | ray | slurm"),
    seeds: Optional[str] = typer.Option(None, help="Comma-separated seeds (default 42)."),
    epochs: Optional[float] = typer.Option(None),
    learning_rate: Optional[float] = typer.Option(None, "--lr"),
    max_train: Optional[int] = typer.Option(None, "--max-train", help="Cap on training examples."),
    max_eval: Optional[int] = typer.Option(None, "--max-eval", help="Cap on evaluation examples per language."),
    gpus: Optional[int] = typer.Option(None),
    timeout_minutes: Optional[float] = typer.Option(None, "--timeout-minutes", help="Hard limit; the job is killed."),
    pending_timeout_minutes: Optional[float] = typer.Option(None, "--pending-timeout-minutes"),
    as_json: bool = typer.Option(
        False, "--json", help="Print {job_id, status, per_language, average, wall_seconds, baselines}."
    ),
    detach: bool = typer.Option(False, "--detach", help="Submit and return; follow with `agent experiment status`."),
    data_dir: DataDir = None,
) -> None:
    """Fine-tune on one language, evaluate zero-shot on others, and compare with published numbers."""
    spec = _spec_from_options(spec_path, task, model, train_lang, eval_langs, backend, seeds, epochs, learning_rate,
                              max_train, max_eval, gpus, timeout_minutes, pending_timeout_minutes)
    manager = _manager(data_dir)
    record, new = manager.submit(spec)
    verb = "submitted" if new else "already submitted (same spec)"
    console.print(f"{verb}: job [bold]{record.job_id}[/bold] on {record.backend} · {escape(spec.name)}",
                  soft_wrap=True)
    if detach:
        if as_json:
            print(json.dumps({"job_id": record.job_id, "status": record.status}))
        return
    try:
        with console.status(f"{record.job_id}: {record.status.lower()}") as status:
            record = manager.wait(record.job_id, on_update=lambda r: status.update(
                f"{r.job_id}: {r.status.lower()} · {escape(_last_progress_line(manager, r.job_id)[-90:])}"))
    except KeyboardInterrupt:
        console.print(f"stopped waiting; the job goes on: agent experiment status {record.job_id}")
        raise typer.Exit(130) from None
    _finish(manager, record, as_json)


def _finish(manager, record, as_json: bool) -> None:
    _show_results(manager, record, as_json)
    if record.status != "SUCCEEDED":
        console.print(f"[red]{record.status}[/red]: {escape(record.reason or '')}", soft_wrap=True)
        raise typer.Exit(1)


@experiment_app.command("status")
def status(job_id: str, as_json: AsJson = False,
           data_dir: DataDir = None) -> None:
    """The job's status (and why it failed, when it did)."""
    record = _manager(data_dir).refresh(job_id)
    if as_json:
        print(json.dumps({"job_id": record.job_id, "status": record.status, "backend": record.backend,
                          "reason": record.reason, "submitted_at": record.submitted_at,
                          "finished_at": record.finished_at}))
        return
    elapsed = (record.finished_at or time.time()) - record.submitted_at
    stdout.print(
        f"{record.job_id} · {record.backend} · [bold]{record.status}[/bold] · {elapsed:.0f} s since submission",
        soft_wrap=True,
    )
    if record.reason:
        stdout.print(escape(record.reason), soft_wrap=True)


@experiment_app.command("logs")
def logs(job_id: str, tail: int = typer.Option(0, help="Only the last N lines (0: all)."),
         data_dir: DataDir = None) -> None:
    """The worker's log."""
    text = _manager(data_dir).logs(job_id)
    print("\n".join(text.splitlines()[-tail:]) if tail else text)


@experiment_app.command("cancel")
def cancel(job_id: str, data_dir: DataDir = None) -> None:
    """Stop a running job."""
    record = _manager(data_dir).cancel(job_id)
    stdout.print(f"{record.job_id}: {record.status}")


@experiment_app.command("results")
def results(job_id: str, as_json: AsJson = False,
            data_dir: DataDir = None) -> None:
    """Per-language accuracy beside the published baseline, and a bar chart."""
    manager = _manager(data_dir)
    _finish(manager, manager.refresh(job_id), as_json)


@experiment_app.command("list")
def list_jobs(data_dir: DataDir = None) -> None:
    """Experiment jobs, newest first."""
    table = Table()
    for column in ("job", "backend", "status", "name"):
        table.add_column(column)
    manager = _manager(data_dir)
    for record in manager.list():
        record = manager.refresh(record.job_id)
        table.add_row(record.job_id, record.backend, record.status, record.spec.name)
    stdout.print(table)
