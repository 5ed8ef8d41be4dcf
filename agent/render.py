"""Render a `Report` as Markdown."""

from __future__ import annotations

from agent.report import Report


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _authors(authors: list[str]) -> str:
    if not authors:
        return "Unknown"
    return ", ".join(authors[:6]) + (" et al." if len(authors) > 6 else "")


def render_markdown(report: Report) -> str:
    m = report.method
    lines = [f"# {report.title}", "", f"*{report.created_at}* · provider `{report.provider.name}` · model `{report.provider.model}`", "",
             "## Question", "", report.question, "", "## Answer", "", report.answer, ""]
    lines += ["## Method", "",
              "- Search queries: " + "; ".join(f"`{q}`" for q in report.queries),
              "- Sub-questions: " + "; ".join(m.sub_questions),
              f"- Sources searched: {', '.join(m.search_sources) or 'none'}",
              f"- Papers found: {m.papers_found}; read: {m.papers_read}",
              f"- Claims extracted: {m.claims_extracted}; verified: {m.claims_verified} "
              f"({', '.join(f'{k}: {v}' for k, v in m.verdicts.items())})",
              f"- Model calls: {report.usage.llm_calls}; tokens: {report.usage.prompt_tokens} prompt + "
              f"{report.usage.completion_tokens} completion; wall time {report.usage.wall_seconds:.0f} s", ""]
    if report.provider.calibrated:
        lines += [f"> Confidences are calibrated for `{report.provider.model}` (label biases and a temperature "
                  "fitted on a labelled dev suite, `agent eval calibrate`): a 0.8 is meant to be right 80% of the time.", ""]
    else:
        lines += ["> Confidences are the model's raw label probabilities: no calibration has been fitted for "
                  f"`{report.provider.model}` yet, so they are not calibrated.", ""]
    lines += ["## Claims", "", "| id | claim | source | verdict | confidence | evidence |", "|---|---|---|---|---|---|"]
    for claim in report.claims:
        evidence = "<br>".join(f"{e.stance} [{e.paper_id}]: \u201c{_cell(e.quote)}\u201d" for e in claim.evidence)
        also = "".join(f"<br>Also [{s.paper_id}]: \u201c{_cell(s.quote)}\u201d" for s in claim.also_in)
        sources = ", ".join(f"[{pid}]" for pid in [claim.paper_id, *(s.paper_id for s in claim.also_in)])
        lines.append(f"| {claim.id} | {_cell(claim.text)}<br>Quote: \u201c{_cell(claim.quote)}\u201d{also} | "
                     f"{sources} | {claim.verdict} | {claim.confidence:.2f} | {evidence} |")
    lines.append("")
    if report.experiments:
        lines += ["## Experiments", ""] + [f"- {_cell(e)}" for e in report.experiments] + [""]
    lines += ["## Review", ""]
    if report.review.score is not None:
        lines.append(f"Mean score {report.review.score:.2f} / 5 (spread {report.review.spread:.2f}) "
                     f"from {len(report.review.reviewers)} independent reviewers. Rubric:")
    lines += [f"- {criterion}" for criterion in report.review.rubric]
    lines += [f"- Reviewer {i}: {r.score}/5, {_cell(r.rationale)}" for i, r in enumerate(report.review.reviewers, 1)]
    lines += ["", "## Limitations", ""] + [f"- {item}" for item in report.limitations] + [""]
    if report.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in report.warnings] + [""]
    lines += ["## References", ""]
    for paper in report.papers:
        year = paper.year or "n.d."
        lines.append(f"- [{paper.id}] {_authors(paper.authors)} ({year}). *{paper.title}*. {paper.url}")
    return "\n".join(lines) + "\n"
