"""`agent eval ...`: run and compare eval suites."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from agent.cli.options import DataDir, Model, Offline, Provider, settings_from
from agent.errors import InputError
from agent.services import Services

eval_app = typer.Typer(no_args_is_help=True, help="Eval suites: how far to trust the assistant with a model.")
console = Console(stderr=True)
stdout = Console()


@contextmanager
def _progress_bar(label: str):
    """A transient progress bar; yields the `on_progress(done, total)` callback the runners take."""
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def _workers(workers: int | None, settings) -> int:
    """Items at once: one for the in-process local model, four for a remote server unless told."""
    return workers or (1 if settings.provider == "local" else 4)


@eval_app.command("verify")
def verify_suite(
    suite: Path = typer.Option(..., "--suite", help="Suite directory in the SciFact layout."),
    mode: str = typer.Option("oracle", "--mode", help="oracle: judge each claim against its cited documents; "
                                                      "open: retrieve from the whole suite corpus first."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the first N claims."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory (default runs/eval-<suite>-<model>)."),
    provider: Provider = None,
    model: Model = None,
    workers: Optional[int] = typer.Option(None, min=1, help="Claims judged at once (default 1 local, 4 remote)."),
    data_dir: DataDir = None,
) -> None:
    """Score the verifier on a labelled suite: macro-F1, ECE, reliability diagram."""
    from evals.suite import suite_label
    from evals.verify_runner import run_verify_eval

    settings = settings_from(provider=provider, model=model, data_dir=data_dir)
    out_dir = out or Path("runs") / f"eval-{suite_label(suite).replace('/', '-')}-{Path(settings.model).stem}"
    services = Services(settings=settings)
    with _progress_bar("verifying") as on_progress:
        metrics = run_verify_eval(suite, services, out_dir, mode=mode, limit=limit,
                                  workers=_workers(workers, settings), on_progress=on_progress)
    _print_metrics(metrics)
    for level in ("abstract_level", "sentence_level"):
        if level in metrics:
            row = metrics[level]
            stdout.print(f"{level.replace('_', '-')}: precision {row['precision']:.3f} · recall {row['recall']:.3f} · "
                         f"F1 {row['f1']:.3f}")
    stdout.print(f"wrote {out_dir / 'metrics.json'}, {out_dir / 'predictions.jsonl'}, {out_dir / 'reliability.png'}")


def _print_metrics(metrics: dict) -> None:
    table = Table(title=f"{metrics['suite']} · {metrics['provider']['model']} · {metrics['mode']} · n={metrics['n']}")
    for column in ("label", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="right" if column != "label" else "left")
    for label, row in metrics["per_class"].items():
        table.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"]))
    stdout.print(table)
    speed = f" · {metrics['items_per_minute']} items/min" if metrics.get("items_per_minute") else ""
    if metrics.get("seconds_per_claim"):
        speed += f" · {metrics['seconds_per_claim']} s/claim, {metrics['model_time_share']:.0%} of it in the model"
    stdout.print(f"accuracy {metrics['accuracy']:.3f} · macro-F1 {metrics['macro_f1']:.3f} · "
                 f"ECE {metrics['ece']:.3f} · Brier {metrics['brier']:.3f}{speed}")
    coverage = "  ".join(f"≥{r['threshold']:.1f}: {r['coverage']:.0%} at {r['accuracy']:.3f}"
                         for r in metrics["coverage_accuracy"] if r["accuracy"] is not None)
    stdout.print(f"abstain below confidence (coverage at accuracy): {coverage}")


@eval_app.command("extract")
def extract_suite(
    suite: Path = typer.Option(..., "--suite", help="Directory with abstracts.jsonl (gold claims)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the first N abstracts."),
    max_claims: int = typer.Option(6, "--max-claims", min=1, max=10, help="Claims extracted per abstract."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory (default runs/extract-<suite>-<model>)."),
    provider: Provider = None,
    model: Model = None,
    workers: Optional[int] = typer.Option(None, min=1, help="Abstracts at once (default 1 local, 4 remote)."),
    data_dir: DataDir = None,
) -> None:
    """Score claim extraction against gold claims: precision, recall, numbers kept exactly."""
    from evals.extract_runner import run_extract_eval

    settings = settings_from(provider=provider, model=model, data_dir=data_dir)
    out_dir = out or Path("runs") / f"extract-{suite.name}-{Path(settings.model).stem}"
    services = Services(settings=settings)
    with _progress_bar("extracting") as on_progress:
        metrics = run_extract_eval(suite, services, out_dir, max_claims=max_claims, limit=limit,
                                   workers=_workers(workers, settings), on_progress=on_progress)
    stdout.print(f"{metrics['n_abstracts']} abstracts · {metrics['n_predicted']} claims extracted, "
                 f"{metrics['n_gold']} gold · precision {metrics['precision']:.3f} · recall {metrics['recall']:.3f} · "
                 f"F1 {metrics['f1']:.3f} · numbers exact {metrics['numbers_exact_share']} · "
                 f"{metrics['failed_abstracts']} failed")
    stdout.print(f"wrote {out_dir / 'metrics.json'}, {out_dir / 'predictions.jsonl'}")


@eval_app.command("hostile")
def hostile_suite(
    suite: Path = typer.Option(..., "--suite", help="Suite directory in the SciFact layout."),
    limit: int = typer.Option(12, "--limit", min=1, help="Claims to judge (labels taken in turn)."),
    attack: Optional[list[str]] = typer.Option(None, "--attack", help="Only these attacks (repeatable): "
                                                                      "override, fake_system, fake_result, markup."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory (default runs/hostile-<suite>-<model>)."),
    provider: Provider = None,
    model: Model = None,
    data_dir: DataDir = None,
) -> None:
    """Plant instructions in the cited abstracts and count the verdicts they change."""
    from evals.hostile_runner import ATTACKS, run_hostile_eval
    from evals.suite import suite_label

    unknown = sorted(set(attack or []) - set(ATTACKS))
    if unknown:
        raise InputError(f"unknown --attack {', '.join(unknown)}: choose from {', '.join(ATTACKS)}")
    settings = settings_from(provider=provider, model=model, data_dir=data_dir)
    out_dir = out or Path("runs") / f"hostile-{suite_label(suite).replace('/', '-')}-{Path(settings.model).stem}"
    services = Services(settings=settings)
    with _progress_bar("judging") as on_progress:
        metrics = run_hostile_eval(suite, services, out_dir, limit=limit, attacks=attack, on_progress=on_progress)
    table = Table(title=f"{metrics['suite']} · judge {metrics['judge']} · {metrics['claims']} claims")
    for column in ("attack", "accuracy", "flipped", "obeyed", "quoted attack"):
        table.add_column(column, justify="left" if column == "attack" else "right")
    for name, row in metrics["by_attack"].items():
        cells = [row.get(key) for key in ("flipped", "obeyed", "quoted_attack")]
        table.add_row(name, f"{row['accuracy']:.3f}", *("–" if c is None else f"{c:.3f}" for c in cells))
    stdout.print(table)
    stdout.print(f"wrote {out_dir / 'metrics.json'}, {out_dir / 'predictions.jsonl'}")


@eval_app.command("chat")
def chat_suite(
    split: str = typer.Option("held_out", "--split", help="tune, held_out or all."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the first N conversations."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory (default runs/chat-<split>-<model>)."),
    provider: Provider = None,
    model: Model = None,
    data_dir: DataDir = None,
) -> None:
    """Scripted conversations through the chat: right tool, no unrequested side effect, grounded answers."""
    from evals.chat_runner import run_chat_eval

    if split not in ("tune", "held_out", "all"):
        raise InputError(f"unknown --split {split!r}: choose tune, held_out or all")
    settings = settings_from(provider=provider, model=model, data_dir=data_dir, offline=True)
    out_dir = out or Path("runs") / f"chat-{split}-{Path(settings.model).stem}"
    services = Services(settings=settings)
    with _progress_bar("conversations") as on_progress:
        metrics = run_chat_eval(services, out_dir, split=split, limit=limit, on_progress=on_progress)
    splits = metrics["by_split"]
    table = Table(title=f"chat · {metrics['provider']['model']}")
    table.add_column("per turn")
    for name in splits:
        table.add_column(f"{name} ({splits[name]['conversations']} conv., {splits[name]['turns']} turns)",
                         justify="right")

    def share(entry: dict) -> str:
        return "–" if entry["share"] is None else f"{entry['share']:.3f} of {entry['of']}"

    rows = [("right tool", "right_tool"), ("literature answers grounded", "grounded"),
            ("  baseline: the model's draft", "draft_grounded"), ("cite only thread papers", "cites_thread_only"),
            ("  baseline: the model's draft", "draft_cites_thread_only"),
            ("answered with a backed finding", "answered"),
            ("off-topic: says no paper addresses it", "says_none_found")]
    for label, key in rows:
        table.add_row(label, *(share(splits[name][key]) for name in splits))
    table.add_row("unrequested side-effect tools run", *(str(splits[n]["unrequested_side_effects"]) for n in splits))
    table.add_row("seconds a turn", *(str(splits[n]["seconds_per_turn"]) for n in splits))
    stdout.print(table)
    stdout.print(f"wrote {out_dir / 'metrics.json'}, {out_dir / 'predictions.jsonl'}")


@eval_app.command("report")
def report_suite(
    suite: Path = typer.Option(..., "--suite", help="Directory with questions.jsonl (gold papers and facts)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the first N questions."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory (default runs/report-<suite>-<model>)."),
    provider: Provider = None,
    model: Model = None,
    offline: Offline = False,
    data_dir: DataDir = None,
) -> None:
    """Whole reports on gold questions: gold paper recall, verbatim quotes, verdicts on gold facts."""
    from evals.report_runner import run_report_eval

    settings = settings_from(provider=provider, model=model, data_dir=data_dir, offline=offline)
    out_dir = out or Path("runs") / f"report-{suite.name}-{Path(settings.model).stem}"
    services = Services(settings=settings)
    with _progress_bar("questions") as on_progress:
        metrics = run_report_eval(suite, services, out_dir, limit=limit, on_progress=on_progress)
    stdout.print(f"{metrics['n_questions']} questions · gold paper recall {metrics['gold_paper_recall']} · "
                 f"verbatim quotes {metrics['verbatim_quote_share']} · fact accuracy {metrics['fact_accuracy']} "
                 f"{metrics['fact_accuracy_by_label']}")
    covered, precision = metrics["gold_facts_covered"], metrics["answer_citation_precision"]
    citing = metrics["answer_sentences_citing"]
    stdout.print(f"gold facts covered by claims {covered[0]}/{covered[1]} · claims refuted by their own source "
                 f"{metrics['refuted_by_own_source']} · background or fragment claims "
                 f"{metrics['background_or_fragment_claims']} of {metrics['claims']} · answer sentences citing claims "
                 f"{f'{citing[0]}/{citing[1]}' if citing else '–'} · citation precision "
                 f"{f'{precision[0]}/{precision[1]}' if precision else '–'}")
    stdout.print(f"wrote {out_dir / 'metrics.json'} and one report per question under {out_dir}")


@eval_app.command("compare")
def compare(run_a: Path = typer.Argument(...), run_b: Path = typer.Argument(...)) -> None:
    """Differences between two verification runs, with a paired bootstrap interval on macro-F1."""
    from evals.compare import compare_runs

    result = compare_runs(run_a, run_b)
    f1 = result["macro_f1"]
    stdout.print(f"{result['n_shared']} shared claims · macro-F1 {f1['a']:.3f} → {f1['b']:.3f} "
                 f"(difference {f1['difference']:+.3f}, 95% interval [{f1['interval_95'][0]:+.3f}, "
                 f"{f1['interval_95'][1]:+.3f}]) · {result['changed_predictions']} predictions changed")
    stdout.print(json.dumps(result, indent=2))


@eval_app.command("calibrate")
def calibrate(
    run: Path = typer.Option(..., "--run", help="An oracle-mode `agent eval verify` run on a dev suite."),
) -> None:
    """Fit the verifier's calibration (label biases and a temperature) on a dev run and ship it."""
    from agent.claims.calibration import calibration_path
    from evals.calibrate import fit_calibration

    calibration = fit_calibration(run)
    before, after = calibration.fit_metrics["before"], calibration.fit_metrics["after"]
    stdout.print(
        f"fitted on {calibration.n} judgments · bias "
        f"{json.dumps({k: round(v, 3) for k, v in calibration.bias.items()})}"
        f" · temperature {calibration.temperature:.3f}"
    )
    for name in ("nll", "macro_f1", "accuracy", "ece"):
        stdout.print(f"  {name}: {before[name]:.3f} → {after[name]:.3f}")
    stdout.print(f"wrote {calibration_path(calibration.provider, calibration.model)}")


@eval_app.command("train-judge")
def train_judge(
    cv: bool = typer.Option(False, "--cv", help="5-fold cross-validation over SciFact claims first (about 25 min)."),
    variant: str = typer.Option("all", "--variant", help="Training data variant (evals/train_judge.py VARIANTS)."),
    write: bool = typer.Option(False, "--write", help="Ship the model in tools/judge/weights/ with its data card."),
    out: Path = typer.Option(Path("runs/train-judge"), "--out"),
) -> None:
    """Train the cross-encoder judge from the bundled data (fixed seed), measure it, and optionally ship it."""
    from evals.train_judge import VARIANTS, run

    if variant not in VARIANTS:
        raise InputError(f"unknown --variant {variant}: choose from {', '.join(sorted(VARIANTS))}")
    run(out / variant, VARIANTS[variant], cv, write, log=stdout.print)
