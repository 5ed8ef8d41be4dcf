"""Experiments as the agent sees them: the manager from settings, cost estimates, and results for the report."""

from __future__ import annotations

from dataclasses import dataclass

from agent.report import BaselineNumber, ExperimentReport, LanguageResult
from agent.settings import Settings
from tools.experiments.baselines import published_row
from tools.experiments.data import load_transfer_data
from tools.experiments.jobs import JobRecord
from tools.experiments.manager import ExperimentManager
from tools.experiments.spec import ExperimentSpec

# Rough examples per second (train, eval) by model size; the estimate is for asking approval, not billing.
# CPU small: measured on 2 cores with e5-small (195 steps of 32 in 351 s; 4,980 evaluations in 80 s).
_THROUGHPUT = {"gpu": {"small": (400.0, 3000.0), "base": (150.0, 1200.0), "large": (50.0, 400.0)},
               "cpu": {"small": (17.0, 60.0), "base": (6.0, 20.0), "large": (2.0, 6.0)}}


def manager_for(settings: Settings) -> ExperimentManager:
    return ExperimentManager(settings.experiments_dir, settings.models_dir / "hf", ray_address=settings.ray_address,
                             slurm_cluster=None if settings.slurm_cluster == "auto" else settings.slurm_cluster,
                             slurm_partition=settings.slurm_partition)


def _size(model: str) -> str:
    name = model.lower()
    return "large" if "large" in name else "small" if "small" in name else "base"


@dataclass(frozen=True)
class CostEstimate:
    minutes: float
    gpu_minutes: float
    train_examples: int
    eval_examples: int

    def describe(self) -> str:
        where = f"{self.gpu_minutes:.0f} GPU-minutes" if self.gpu_minutes else f"{self.minutes:.0f} CPU-minutes"
        return f"about {where} ({self.train_examples} training and {self.eval_examples} evaluation examples per seed)"


def estimate_cost(spec: ExperimentSpec) -> CostEstimate:
    data = load_transfer_data(spec)
    train = len(data.train)
    evaluation = sum(len(v) for v in data.eval.values())
    train_rate, eval_rate = _THROUGHPUT["gpu" if spec.resources.gpus else "cpu"][_size(spec.model)]
    seconds = len(spec.seeds) * (train * spec.hyper_parameters.epochs / train_rate + evaluation / eval_rate) + 60
    minutes = round(seconds / 60, 1)
    return CostEstimate(minutes=minutes, gpu_minutes=round(minutes * spec.resources.gpus, 1),
                        train_examples=train, eval_examples=evaluation)


def approval_summary(payload: dict) -> str:
    """One line for the approval question the graphs interrupt with: what would run, and its cost."""
    spec = payload["spec"]
    return f"{spec['name']} · model {spec['model']} · {payload['estimate']}"


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
        notes.append(f"Published: {row.model}, zero-shot from English, trained on the full English training set "
                     f"and tested on the test split; ours{f' trained on {trained_on} English dev items and' if trained_on else ''}"
                     f" tested on held-out dev items. Source: {row.source}.")
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
