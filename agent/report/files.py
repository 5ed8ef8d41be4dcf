"""Write a report's files: `report.json` (the truth), `report.md` with its figures, a self-contained
`report.html`, and its references as `references.bib` (BibTeX) and `references.json` (CSL-JSON); `claims.csv`
on request."""

from __future__ import annotations

from pathlib import Path

from agent.errors import InputError
from agent.report.html import render_html
from agent.report.markdown import render_markdown
from agent.report.model import Report
from agent.report.plots import claims_figure, experiment_figure, save_png
from agent.report.references import render_bibtex, render_claims_csv, render_csl_json
from tools.files import write_text_atomically

FILE_NAMES = {"json": "report.json", "md": "report.md", "html": "report.html", "bib": "references.bib",
              "csl": "references.json", "csv": "claims.csv"}
FORMATS = tuple(FILE_NAMES)
WRITTEN_BY_A_RUN = ("json", "md", "html", "bib", "csl")
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


def _rendered(report: Report, fmt: str, out_dir: Path) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        return render_markdown(report, write_figures(report, out_dir))
    if fmt == "html":
        return render_html(report)
    if fmt == "bib":
        return render_bibtex(report)
    if fmt == "csl":
        return render_csl_json(report)
    return render_claims_csv(report)


def write_report_files(report: Report, out_dir: Path, formats: tuple[str, ...] = WRITTEN_BY_A_RUN) -> list[Path]:
    unknown = [fmt for fmt in formats if fmt not in FILE_NAMES]
    if unknown:
        raise InputError(f"unknown report format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out_dir / FILE_NAMES[fmt]
        write_text_atomically(path, _rendered(report, fmt, out_dir))
        written.append(path)
    return written
