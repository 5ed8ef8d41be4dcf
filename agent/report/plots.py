"""Figures of a report: the claims' verdicts and confidences, and experiment results against published baselines."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from agent.records import VERDICTS  # noqa: E402
from agent.report.model import ExperimentReport, Report  # noqa: E402

VERDICT_COLOURS = {"SUPPORTED": "#2e7d32", "REFUTED": "#c62828", "NOT_ENOUGH_INFO": "#9e9e9e"}
BINS = [i / 10 for i in range(11)]


def claims_figure(report: Report) -> Figure:
    figure, (counts, confidences) = plt.subplots(1, 2, figsize=(9, 3.2))
    verdicts = [sum(c.verdict == v for c in report.claims) for v in VERDICTS]
    bars = counts.bar([v.replace("_", " ").lower() for v in VERDICTS], verdicts,
                      color=[VERDICT_COLOURS[v] for v in VERDICTS])
    counts.bar_label(bars)
    counts.set_ylabel("claims")
    counts.set_title("Verdicts")
    counts.set_ylim(0, max(verdicts + [1]) * 1.2)
    stacks = [[c.confidence for c in report.claims if c.verdict == v] for v in VERDICTS]
    confidences.hist(stacks, bins=BINS, stacked=True, color=[VERDICT_COLOURS[v] for v in VERDICTS],
                     label=[v.replace("_", " ").lower() for v in VERDICTS])
    confidences.set_xlim(0, 1)
    confidences.set_xlabel("confidence of the verdict")
    confidences.set_ylabel("claims")
    confidences.set_title("Confidence" + (" (calibrated)" if report.provider.calibrated else " (not calibrated)"))
    confidences.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    return figure


def experiment_figure(experiment: ExperimentReport) -> Figure:
    languages = [r.language for r in experiment.per_language]
    ours = [r.accuracy or 0.0 for r in experiment.per_language]
    published = [r.published.accuracy if r.published else 0.0 for r in experiment.per_language]
    baselines = sorted({r.published.model for r in experiment.per_language if r.published})
    positions = range(len(languages))
    width = 0.4
    figure, axes = plt.subplots(figsize=(max(4.5, 0.8 * len(languages) + 2), 3.2))
    axes.bar([p - width / 2 for p in positions], ours, width, label=f"ours ({experiment.model})", color="#1565c0")
    if baselines:
        axes.bar([p + width / 2 for p in positions], published, width,
                 label=f"published ({', '.join(baselines)})", color="#ef6c00")
    for position, result in zip(positions, experiment.per_language):
        if result.majority_class is not None:
            axes.hlines(result.majority_class, position - width, position + width, colors="black", linestyles="dashed",
                        label="majority class" if position == 0 else None)
    axes.set_xticks(list(positions), languages)
    axes.set_ylim(0, 1)
    axes.set_ylabel("accuracy")
    axes.set_title(f"{experiment.task}: zero-shot from {experiment.train_language}")
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def svg_data_uri(figure: Figure) -> str:
    """The figure as an inline `data:` URI, so an HTML page needs no other file."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def save_png(figure: Figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    figure.savefig(temporary, format="png", dpi=110)
    plt.close(figure)
    temporary.replace(path)
