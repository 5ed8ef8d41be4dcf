"""Render a `Report` as Markdown."""

from __future__ import annotations

from agent.report.checks import table_order
from agent.report.model import ExperimentReport, Report
from agent.report.references import citation_keys


def _text(text: str) -> str:
    """Text from a paper or a model as Markdown shows it: markup in it stays text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _text(" ".join(str(text).split())).replace("|", "\\|")


def _paragraphs(text: str) -> str:
    """Free text as paragraphs that cannot open a heading, a list, a quote or a code block of their own."""
    paragraphs = [" ".join(_text(p).split()) for p in text.split("\n\n") if p.strip()]
    return "\n\n".join("\\" + p if p[0] in "#->*+=|`~" else p for p in paragraphs)


def _authors(authors: list[str]) -> str:
    if not authors:
        return "Unknown"
    return ", ".join(authors[:6]) + (" et al." if len(authors) > 6 else "")


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _experiment(e: ExperimentReport, chart: str | None) -> list[str]:
    wall = f" · {e.wall_seconds:.0f} s" if e.wall_seconds else ""
    lines = [
        f"### {_cell(e.name)} ({e.status})",
        "",
        f"{e.task} · `{e.model}` · trained on {e.train_language} · backend {e.backend} · job `{e.job_id}`{wall}",
        "",
        "| language | ours | published | difference | published by |",
        "|---|---|---|---|---|",
    ]
    for r in e.per_language:
        source = f"{r.published.model} ({r.published.split}), {_cell(r.published.source)}" if r.published else ""
        lines.append(
            f"| {r.language} | {_number(r.accuracy)} | {_number(r.published.accuracy if r.published else None)} "
            f"| {_number(r.difference, signed=True)} | {source} |"
        )
    lines.append(f"| **average** | {_number(e.average)} | {_number(e.published_average)} | | |")
    lines.append("")
    if chart:
        lines += [f"![{_cell(e.name)}: accuracy per language against published baselines]({chart})", ""]
    return lines + [f"> {_cell(note)}" for note in e.notes] + ([""] if e.notes else [])


def render_markdown(report: Report, figures: dict[str, str] | None = None) -> str:
    """`figures` maps figure names (`claims`, `experiment-1`, …) to paths relative to the Markdown file."""
    figures = figures or {}
    m = report.method
    lines = [
        f"# {report.title}",
        "",
        f"*{report.created_at}* · provider `{report.provider.name}` · model `{report.provider.model}`",
        "",
        "## Question",
        "",
        _cell(report.question),
        "",
        "## Answer",
        "",
        _paragraphs(report.answer),
        "",
    ]
    if report.tested_here:
        lines += [f"*{_cell(report.tested_here)}*", ""]
    lines += [
        "## Method",
        "",
        "- Search queries: " + "; ".join(f"`{q}`" for q in report.queries),
        "- Sub-questions: " + "; ".join(_cell(q) for q in m.sub_questions),
        f"- Sources searched: {', '.join(m.search_sources) or 'none'}",
        f"- Papers found: {m.papers_found}; read: {m.papers_read}; cited: {m.papers_cited}",
        f"- Claims extracted: {m.claims_extracted}; verified: {m.claims_verified} "
        f"({', '.join(f'{k}: {v}' for k, v in m.verdicts.items())})",
        "- Models: " + "; ".join(f"{role} `{name}`" for role, name in m.models.items()),
        f"- Model calls: {report.usage.llm_calls} (and {report.usage.cached_calls} answered from the cache); "
        f"tokens: {report.usage.prompt_tokens} prompt + "
        f"{report.usage.completion_tokens} completion; wall time {report.usage.wall_seconds:.0f} s",
        "",
    ]
    if report.provider.calibrated and report.provider.judge != "llm":
        lines += [
            "> Confidences come from the judge stack (the model on the sentences closest to each claim, a "
            "cross-encoder trained here, the program's checks), fitted on labelled judgments and recalibrated "
            "per judgment kind (`evals/stack_judge.py`): a 0.8 is meant to be right 80% of the time.",
            "",
        ]
    elif report.provider.calibrated:
        lines += [
            f"> Confidences are calibrated for `{report.provider.model}` (label biases and a temperature "
            "fitted on a labelled dev suite, `agent eval calibrate`): a 0.8 is meant to be right 80% of the time.",
            "",
        ]
    else:
        lines += ["> Confidences are the model's raw label probabilities: no calibration has been fitted for "
                  f"`{report.provider.model}` yet, so they are not calibrated.", ""]
    lines += ["## Claims", ""]
    if "claims" in figures:
        lines += [f"![Verdicts and confidence of the claims]({figures['claims']})", ""]
    lines += [
        "Claims about the question first (relevance: direct, related, background). *Faithful*: the probability that "
        "the claim's own quote entails it. *Standing*: corroborated (another paper states or supports it), "
        "contested (another paper about the same subject contradicts it: both quotes shown) or single-source.",
        "",
        "| id | claim | source | relevance | faithful | verdict | confidence | standing | other papers |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for claim in table_order(report.claims):
        others = [e for e in claim.evidence if not e.is_source]
        evidence = "<br>".join(f"{e.label} [{e.paper_id}]: \u201c{_cell(e.quote)}\u201d" for e in others) or "–"
        if claim.experiment:
            evidence += f"<br>experiment: {claim.experiment.brief} (see *Claims tested by experiment*)"
        also = "".join(f"<br>Also [{s.paper_id}]: \u201c{_cell(s.quote)}\u201d" for s in claim.also_in)
        unchecked = " (not found verbatim in the paper text)" if claim.quote_verbatim is False else ""
        sources = ", ".join(f"[{pid}]" for pid in [claim.paper_id, *(s.paper_id for s in claim.also_in)])
        faithful = f"{claim.faithfulness:.2f}" if claim.faithfulness is not None else "–"
        rewritten = f"<br>(rewritten to its quote from: \u201c{_cell(claim.rewritten_from)}\u201d)" \
            if claim.rewritten_from else ""
        lines.append(
            f"| {claim.id} | {_cell(claim.text)}<br>Quote: \u201c{_cell(claim.quote)}\u201d"
            f"{unchecked}{also}{rewritten} | {sources} | {claim.relevance} | {faithful} | {claim.verdict} | "
            f"{claim.confidence:.2f} | {claim.standing} | {evidence} |"
        )
    lines.append("")
    if report.experiments:
        lines += ["## Experiments", ""]
        for index, experiment in enumerate(report.experiments, 1):
            lines += _experiment(experiment, figures.get(f"experiment-{index}"))
    lines += _claim_tests(report)
    lines += ["## Review", ""]
    lines += _review(report)
    if report.review.checks:
        lines += ["", "Computed checks:", "", "| check | count | share |", "|---|---|---|"]
        for name, share in report.review.checks:
            if share is None:
                continue
            value = f"{100 * share.value:.0f}%" if share.value is not None else "–"
            lines.append(f"| {name.replace('_', ' ')} | {share.count} / {share.total} | {value} |")
    lines += ["", "## Limitations", ""] + [f"- {_cell(item)}" for item in report.limitations] + [""]
    if report.warnings:
        lines += ["## Warnings", ""] + [f"- {_cell(w)}" for w in report.warnings] + [""]
    lines += ["## References", "", "BibTeX keys as in `references.bib` (CSL-JSON: `references.json`).", ""]
    keys = citation_keys(report.papers)
    for paper in report.papers:
        year = paper.year or "n.d."
        venue = f" {_cell(paper.venue)}." if paper.venue else ""
        lines.append(f"- [{paper.id}] {_cell(_authors(paper.authors))} ({year}). *{_cell(paper.title)}*.{venue} "
                     f"{paper.url} · `{keys[paper.id]}`")
    return "\n".join(lines) + "\n"


def _claim_tests(report: Report) -> list[str]:
    """Each claim tested by running its experiment, beside (not merged into) the literature's evidence."""
    tested = [c for c in report.claims if c.experiment]
    if not tested and not report.untestable:
        return []
    lines = ["## Claims tested by experiment", ""]
    for claim in tested:
        test = claim.experiment
        lines += [f"### {claim.id}: {test.outcome}", "", f"Claim: {_cell(claim.text)}", "",
                  f"Prediction: {_cell(test.prediction)}. Result: {_cell(test.brief)}. "
                  f"Statistic: {_cell(test.statistic)}. Runs: "
                  + ", ".join(f"{_cell(label)} (job `{job}`)" for label, job in zip(test.runs, test.jobs)) + ".", ""]
        if test.accuracies:
            lines += ["| run | language | accuracy (mean ± sd over seeds) | published (from English) |",
                      "|---|---|---|---|"]
            lines += [f"| {_cell(a.run)} | {a.language} | {a.mean:.3f} ± {a.sd:.3f} ({a.seeds} seeds) | "
                      f"{f'{a.published.accuracy:.3f} ({_cell(a.published.model)})' if a.published else '–'} |"
                      for a in test.accuracies]
            lines.append("")
        lines += [f"Scale: {_cell(test.scale)}."] + [f"Note: {_cell(n)}" for n in test.notes] + [""]
    if report.untestable:
        lines += ["Not tested by experiment:", ""]
        lines += [f"- {u.claim_id}: {_cell(u.reason)}" for u in report.untestable]
        lines.append("")
    return lines


def _review(report: Report) -> list[str]:
    review = report.review
    lines = []
    if review.criteria:
        lines += [f"Mean of the criteria {review.score:.2f} / 5 (mean spread {review.spread:.2f}). Each criterion is "
                  "scored from the reviewer model's probabilities of 1–5, capped by the computed checks.", "",
                  "| criterion | score | spread | capped by |", "|---|---|---|---|"]
        lines += [f"| {_cell(c.criterion)} | {c.score:.2f} | {c.spread:.2f} | "
                  f"{_cell(c.capped_by) + f' (model: {c.model_score:.2f})' if c.capped_by else '–'} |"
                  for c in review.criteria]
        return lines
    if review.score is not None:  # an older report, reviewed in free text
        lines.append(f"Mean score {review.score:.2f} / 5 (spread {review.spread:.2f}) "
                     f"from {len(review.reviewers)} independent reviewers. Rubric:")
    lines += [f"- {_cell(criterion)}" for criterion in review.rubric]
    lines += [f"- Reviewer {i}: {r.score}/5, {_cell(r.rationale)}" for i, r in enumerate(review.reviewers, 1)]
    return lines
