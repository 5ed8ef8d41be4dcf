"""Render a `Report` as one self-contained HTML page: inline styles, script and figures, no network.

Every string from the run is escaped by the template; a content-security policy that admits only the page's
own script (by hash) and `data:` images is a second wall against markup smuggled in through a paper.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from agent.claims.citations import CITATION, PAPER_REF, paper_id_of
from agent.report.checks import table_order
from agent.report.model import Report
from agent.report.plots import claims_figure, experiment_figure, svg_data_uri
from agent.report.references import citation_keys

TEMPLATE_DIR = Path(__file__).parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html", "j2"]),
                           trim_blocks=True, lstrip_blocks=True)


def anchor(paper_id: str) -> str:
    return "ref-" + "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in paper_id)


def _paper_link(ref: str) -> str:
    return f'<a href="#{anchor(paper_id_of(ref))}">{escape(ref)}</a>'


def linked_citations(text: str) -> Markup:
    """Escape `text`, then turn `[C3; arXiv:…]` citations into links to the claims table and the references."""
    escaped = str(escape(text))

    def link(match) -> str:
        claims = ", ".join(f'<a href="#{cid.strip()}">{cid.strip()}</a>' for cid in match.group(1).split(","))
        papers = ", ".join(_paper_link(ref.strip()) for ref in match.group(2).split(",")) if match.group(2) else ""
        return f"[{claims}{'; ' + papers if papers else ''}]"

    return Markup(CITATION.sub(link, escaped))


def _script_hash(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def render_html(report: Report) -> str:
    script = (TEMPLATE_DIR / "report.js").read_text(encoding="utf-8")
    figures = {"claims": svg_data_uri(claims_figure(report))} if report.claims else {}
    experiment_charts = [svg_data_uri(experiment_figure(e)) for e in report.experiments]
    paragraphs = [linked_citations(p) for p in report.answer.split("\n\n") if p.strip()]
    return _environment.get_template("report.html.j2").render(
        report=report, claims=table_order(report.claims), answer_paragraphs=paragraphs, figures=figures,
        experiment_charts=experiment_charts, script=Markup(script), script_hash=_script_hash(script),
        anchor=anchor, paper_ref_pattern=PAPER_REF, keys=citation_keys(report.papers),
    )
