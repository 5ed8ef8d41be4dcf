"""An experiment's results as a report shows them: per language, beside the published baselines."""

from __future__ import annotations

from agent.report.model import BaselineNumber, ExperimentReport, LanguageResult
from tools.experiments.baselines import published_row
from tools.experiments.jobs import JobRecord
from tools.languages import canonical_language


def experiment_report(record: JobRecord, metrics: dict | None) -> ExperimentReport:
    """The job's per-language results beside the closest published baseline, for the report and `--json`."""
    spec = record.spec
    row = published_row(spec.task, spec.model)
    metrics = metrics or {}
    per_language = []
    for language in spec.eval_languages:
        accuracy = metrics.get("per_language", {}).get(language)
        published = (BaselineNumber(model=row.model, accuracy=row.accuracy[language], source=row.source)
                     if row and language in row.accuracy else None)
        difference = round(accuracy - published.accuracy, 4) if accuracy is not None and published else None
        per_language.append(LanguageResult(language=language, accuracy=accuracy, published=published,
                                           difference=difference,
                                           majority_class=metrics.get("majority_class", {}).get(language),
                                           examples=metrics.get("examples", {}).get("eval", {}).get(language)))
    compared = [r.published.accuracy for r in per_language if r.published]
    notes = list(metrics.get("notes", []))
    if row:
        trained_on = metrics.get("examples", {}).get("train")
        source = (canonical_language(spec.train_language) or spec.train_language).title()
        notes.append(
            f"Published: {row.model}, zero-shot from English, trained on the full English training set "
            "and tested on the test split; ours"
            f"{f' trained on {trained_on} {source} dev items and' if trained_on else ''}"
            f" tested on held-out dev items. Source: {row.source}."
            + ("" if spec.train_language == "en" else
               f" The published numbers are from English: beside a run trained on {source} they are context, "
               "not a like-for-like baseline.")
        )
    majority = metrics.get("majority_class")
    if majority:
        notes.append("Majority-class accuracy (chance) on our eval items: "
                     + ", ".join(f"{lang} {acc:.3f}" for lang, acc in majority.items()) + ".")
    if record.reason and record.status != "SUCCEEDED":
        notes.append(f"{record.status}: {record.reason.splitlines()[0]}")
    return ExperimentReport(
        job_id=record.job_id, name=spec.name, task=spec.task, model=spec.model, train_language=spec.train_language,
        backend=record.backend, status=record.status, per_language=per_language, average=metrics.get("average"),
        published_average=round(sum(compared) / len(compared), 4) if compared else None,
        wall_seconds=metrics.get("wall_seconds"), notes=notes,
    )


def result_json(report: ExperimentReport) -> dict:
    """The `--json` shape: accuracies in [0, 1], baselines with their sources."""
    return {
        "job_id": report.job_id, "status": report.status,
        "per_language": {r.language: r.accuracy for r in report.per_language},
        "average": report.average, "wall_seconds": report.wall_seconds,
        "baselines": {r.language: r.published.model_dump() for r in report.per_language if r.published},
    }
