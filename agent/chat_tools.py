"""What the chat assistant can do, one function a tool: typed arguments in (`ChatStep`), a `ToolResult` out.

Every tool returns a short summary for the transcript and the papers and claims it brought into the
conversation; a tool that cannot run raises `ToolFailed` with a message the user can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from agent.records import ChatStep, VerifiedClaim
from agent.services import Services
from tools.papers import Paper

TOOL_DESCRIPTIONS = {
    "search_arxiv": "search_arxiv(query): find papers on arXiv (or the offline snapshot) by keywords",
    "search_library": "search_library(query): find papers already read or indexed in the local library",
    "open_paper": "open_paper(paper_id, full_text): read a paper's abstract (or its full text when indexed)",
    "extract_claims": "extract_claims(paper_id): list the factual claims a paper's abstract makes",
    "verify_claim": "verify_claim(claim, paper_id optional): check a claim against the papers (verdict, evidence)",
    "start_experiment": "start_experiment(task, eval_languages): fine-tune on English, test zero-shot on other "
                        "languages (xnli or pawsx); asks the user first",
    "experiment_status": "experiment_status(job_id): status or results of an experiment",
    "cancel_experiment": "cancel_experiment(job_id): stop a running experiment",
    "write_report": "write_report(path): write the conversation's papers and checked claims as a report",
}
# Tools that start or stop work run only when the user's own message asks for that (small models sometimes
# pick them unbidden); the model's choice is not enough.
ASKED_FOR = {
    "start_experiment": re.compile(r"\b(run|start|launch|experiment|fine-?tune|train)", re.IGNORECASE),
    "cancel_experiment": re.compile(r"\b(cancel|stop|abort|kill)", re.IGNORECASE),
}
SEARCH_RESULTS = 5
ABSTRACT_CHARS = 1200


class ToolFailed(Exception):
    """A tool call that could not run; the message is shown and the conversation goes on."""


@dataclass
class ToolResult:
    summary: str
    papers: list[Paper] = field(default_factory=list)
    claims: list[VerifiedClaim] = field(default_factory=list)


def unasked_side_effect(action: str, user_message: str) -> bool:
    """The model picked a tool that starts or stops work, and the user's message did not ask for it."""
    return action in ASKED_FOR and not ASKED_FOR[action].search(user_message)


def _need(value: str, what: str, tool: str) -> str:
    if not value.strip():
        raise ToolFailed(f"{tool} needs {what}")
    return value.strip()


def _paper_list(papers: list[Paper]) -> str:
    return "; ".join(f"arXiv:{p.id} {p.title} ({p.year or 'n.d.'})" for p in papers) or "nothing found"


def find_paper(paper_id: str, services: Services) -> Paper:
    from agent.claim_check import resolve_paper
    from agent.errors import AgentError

    try:
        return resolve_paper(paper_id.removeprefix("arXiv:").strip(), services)
    except AgentError as exc:
        raise ToolFailed(str(exc)) from None


def search_arxiv(step: ChatStep, services: Services) -> ToolResult:
    query = _need(step.query, "a query", "search_arxiv")
    outcome = services.search.search([query], query, limit=SEARCH_RESULTS)
    services.library.add_papers(outcome.papers)
    sources = ", ".join(outcome.sources)
    return ToolResult(f"{len(outcome.papers)} papers from {sources}: {_paper_list(outcome.papers)}", outcome.papers)


def search_library(step: ChatStep, services: Services) -> ToolResult:
    query = _need(step.query, "a query", "search_library")
    papers = [paper for paper, _ in services.library.search_library(query, k=SEARCH_RESULTS)]
    return ToolResult(f"{len(papers)} papers in the library: {_paper_list(papers)}", papers)


def open_paper(step: ChatStep, services: Services) -> ToolResult:
    paper = find_paper(_need(step.paper_id, "a paper_id", "open_paper"), services)
    services.library.add_papers([paper])
    text = paper.abstract
    if step.full_text:
        chunks = [t for t in services.library.stored_texts(paper.id) if t != paper.abstract]
        text = " ".join(chunks) if chunks else f"(no full text indexed; the abstract) {paper.abstract}"
    shown = text if len(text) <= ABSTRACT_CHARS else text[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"
    return ToolResult(f"arXiv:{paper.id} {paper.title} ({paper.year or 'n.d.'}), by "
                      f"{', '.join(paper.authors[:3]) or 'unknown'}: {shown}", [paper])


def extract_claims(step: ChatStep, services: Services) -> ToolResult:
    from agent.nodes.extract import extract_from_paper

    paper = find_paper(_need(step.paper_id, "a paper_id", "extract_claims"), services)
    claims = extract_from_paper(paper, services.provider, limit=services.settings.max_claims_per_paper)
    listed = " ".join(f"({i}) {c.text}" for i, c in enumerate(claims, 1)) or "no checkable claim"
    return ToolResult(f"claims of arXiv:{paper.id}: {listed}", [paper])


def verify_claim(step: ChatStep, services: Services) -> ToolResult:
    from agent.claim_check import check_claim, validate_claim

    text = validate_claim(_need(step.claim, "the claim", "verify_claim"))
    paper_id = find_paper(step.paper_id, services).id if step.paper_id.strip() else None
    result, _ = check_claim(text, services, paper_id=paper_id)
    evidence = " ".join(f"{e.stance} arXiv:{e.paper_id}: \u201c{e.quote}\u201d" for e in result.evidence[:3])
    papers = [p for p in (services.library.get_paper(pid) for pid in dict.fromkeys(
        [result.paper_id, *(e.paper_id for e in result.evidence)])) if p is not None]
    calibrated = "calibrated" if result.calibrated else "uncalibrated"
    return ToolResult(f"{result.verdict} (confidence {result.confidence:.2f}, {calibrated}) for \u201c{text}\u201d, "
                      f"source arXiv:{result.paper_id}. Evidence: {evidence}", papers, [result])


def start_experiment(step: ChatStep, services: Services, approve) -> ToolResult:
    from agent.experiments import estimate_cost, manager_for
    from agent.nodes.experiment import experiment_defaults, spec_from_proposal
    from agent.records import ExperimentProposal

    if not step.eval_languages:
        raise ToolFailed("start_experiment needs eval_languages")
    proposal = ExperimentProposal(run_experiment=True, task=step.task, eval_languages=step.eval_languages,
                                  reason="asked in the chat")
    spec = spec_from_proposal(proposal, experiment_defaults(services.settings.experiment_defaults))
    if spec is None:
        raise ToolFailed(f"{step.task} has none of the languages {', '.join(step.eval_languages)} besides English")
    estimate = estimate_cost(spec)
    if not approve({"kind": "approve_experiment", "spec": spec.model_dump(mode="json"), "estimate": estimate.describe(),
                    "reason": "asked in the chat"}):
        return ToolResult(f"the user did not approve the experiment ({spec.name}); nothing was started")
    record, new = manager_for(services.settings).submit(spec)
    return ToolResult(f"experiment {record.job_id} {'submitted' if new else 'already exists'} on {record.backend} "
                      f"({spec.name}; {estimate.describe()}); status {record.status}")


def experiment_status(step: ChatStep, services: Services) -> ToolResult:
    from agent.experiments import experiment_report, manager_for

    manager = manager_for(services.settings)
    record = manager.refresh(_need(step.job_id, "a job_id", "experiment_status"))
    if record.status != "SUCCEEDED":
        return ToolResult(f"experiment {record.job_id}: {record.status}" + (f" ({record.reason.splitlines()[0]})"
                                                                            if record.reason else ""))
    report = experiment_report(record, manager.metrics(record.job_id))
    rows = ", ".join(f"{r.language} {r.accuracy:.3f}" + (f" (published {r.published.model} {r.published.accuracy:.3f})"
                                                         if r.published else "") for r in report.per_language)
    return ToolResult(f"experiment {record.job_id} SUCCEEDED: {rows}; average {report.average:.3f}")


def cancel_experiment(step: ChatStep, services: Services) -> ToolResult:
    from agent.experiments import manager_for

    record = manager_for(services.settings).cancel(_need(step.job_id, "a job_id", "cancel_experiment"))
    return ToolResult(f"experiment {record.job_id}: {record.status}")


def write_report(step: ChatStep, services: Services, conversation: dict) -> ToolResult:
    from agent.chat_report import report_from_conversation
    from agent.report_files import write_report_files

    out_dir = Path(step.path.strip() or "runs/chat-report")
    report = report_from_conversation(conversation, services)
    write_report_files(report, out_dir)
    return ToolResult(f"wrote {out_dir / 'report.html'} and report.md with {len(report.claims)} claims and "
                      f"{len(report.papers)} references")
