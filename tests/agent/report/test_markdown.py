"""The Markdown rendering: every section, figures linked, and paper text that cannot restructure the document."""

from agent.report.files import write_report_files
from agent.report.markdown import render_markdown
from tests.support.sample_report import sample_report


def test_markdown_has_every_section_in_order():
    markdown = render_markdown(
        sample_report(), {"claims": "figures/claims.png", "experiment-1": "figures/experiment-1.png"}
    )
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert headings == [
        "# Literature report: intermediate-task training and zero-shot transfer",
        "## Question",
        "## Answer",
        "## Method",
        "## Claims",
        "## Experiments",
        "### XNLI zero-shot from English (SUCCEEDED)",
        "## Review",
        "## Limitations",
        "## Warnings",
        "## References",
    ]
    assert "![Verdicts and confidence of the claims](figures/claims.png)" in markdown
    assert "| de | 0.640 | 0.787 | -0.147 | XLM-R (test), arXiv:1911.02116 |" in markdown
    assert "| sw | 0.520 | – | – |  |" in markdown
    assert "| claims with verbatim quote | 3 / 4 | 75% |" in markdown
    assert "Papers found: 40; read: 6; cited: 3" in markdown


def test_claims_table_is_in_table_order_and_keeps_its_shape():
    markdown = render_markdown(sample_report())
    rows = [line for line in markdown.splitlines() if line.startswith("| C")]
    assert [row.split("|")[1].strip() for row in rows] == ["C1", "C2", "C4", "C3"]
    assert all(row.count(" | ") - row.count("\\|") >= 6 for row in rows)
    assert "(not found verbatim in the paper text)" in rows[-1]


def test_paper_and_model_text_cannot_add_markup_or_headings():
    markdown = render_markdown(sample_report())
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in markdown
    assert "\n\\# Not a heading" in markdown


def test_files_are_written_with_their_figures(tmp_path):
    paths = write_report_files(sample_report(), tmp_path)
    assert [p.name for p in paths] == ["report.json", "report.md", "report.html", "references.bib", "references.json"]
    assert (tmp_path / "figures" / "claims.png").stat().st_size > 5000
    assert (tmp_path / "figures" / "experiment-1.png").stat().st_size > 5000
    assert not list(tmp_path.rglob("*.tmp"))
