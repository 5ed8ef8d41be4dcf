"""Write a report's files: `report.json` (the truth), `report.md` with its figures, and a self-contained
`report.html`."""

from __future__ import annotations

from pathlib import Path

from agent.errors import InputError
from agent.report.html import render_html
from agent.report.markdown import render_markdown
from agent.report.model import Report
from agent.report.plots import claims_figure, experiment_figure, save_png
from tools.files import write_text_atomically

FORMATS = ("json", "md", "html")
FIGURE_DIR = "figures"


def write_figures(report: Report, out_dir: Path) -> dict[str, str]:
    """PNG figures for the Markdown rendering; returns name -> path relative to `out_dir`."""
    figures: dict[str, str] = {}
    if report.claims:
        save_png(claims_figure(report), out_dir / FIGURE_DIR / "claims.png")
        figures["claims"] = f"{FIGURE_DIR}/claims.png"
    for index, experiment in enumerate(report.experiments, 1):
        save_png(experiment_figure(experiment), out_dir / FIGURE_DIR / f"experiment-{index}.png")
        figures[f"experiment-{index}"] = f"{FIGURE_DIR}/experiment-{index}.png"
    return figures


def write_report_files(report: Report, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out_dir / f"report.{fmt}"
        if fmt == "json":
            write_text_atomically(path, report.model_dump_json(indent=2) + "\n")
        elif fmt == "md":
            write_text_atomically(path, render_markdown(report, write_figures(report, out_dir)))
        elif fmt == "html":
            write_text_atomically(path, render_html(report))
        else:
            raise InputError(f"unknown report format {fmt!r}: choose from {', '.join(FORMATS)}")
        written.append(path)
    return written
