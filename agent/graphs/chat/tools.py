"""What the chat assistant can do, declared once: `TOOLS`, each tool's runner by name, and the `ChatStep`
arguments it reads.

The turn's plan (`intent.py`, decided by the program) fills a `ChatStep`; a runner takes the step and a
`ToolContext` and returns a `ToolResult`: a short summary for the transcript, and the papers and claims it
brought into the conversation. A tool that cannot run raises `ToolFailed` with a message the user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, Field

from agent.claims.extraction import extract_from_paper
from agent.errors import AgentError
from agent.experiments.approval import ApprovalRequest, approval_request, claim_tests_request
from agent.experiments.claim_tests import plan_claim_tests
from agent.experiments.contrast import run_and_measure
from agent.experiments.cost import estimate_cost
from agent.experiments.planning import experiment_defaults, spec_from_proposal
from agent.experiments.results import experiment_report
from agent.graphs.chat.prompt_context import named_terms, term_pattern
from agent.graphs.chat.state import ChatState
from agent.graphs.context import RunContext
from agent.graphs.verifier.check import check_claim, validate_claim
from agent.literature.lookup import resolve_paper
from agent.records import MAX_CLAIM_CHARS, Claim, ExperimentLanguage, ExperimentProposal, VerifiedClaim
from agent.report.conversation import report_from_conversation
from agent.report.files import write_report_files
from agent.services import Services
from tools.papers import Paper

SEARCH_RESULTS = 5
NAMING_PAPERS = 2
ABSTRACT_CHARS = 1200


class ToolFailed(Exception):
    """A tool call that could not run; the message is shown and the conversation goes on."""


@dataclass
class ToolResult:
    summary: str
    papers: list[Paper] = field(default_factory=list)
    claims: list[VerifiedClaim] = field(default_factory=list)  # checked
    extracted: list[Claim] = field(default_factory=list)  # stated by a paper, not checked yet


@dataclass
class ToolContext:
    """What a runner may use besides its arguments: the run, the thread so far, and a way to ask the user."""

    run: RunContext
    thread: ChatState
    approve: Callable[[ApprovalRequest], bool]

    @property
    def services(self) -> Services:
        return self.run.services


def _need(value: str, what: str, tool: str) -> str:
    if not value.strip():
        raise ToolFailed(f"{tool} needs {what}")
    return value.strip()


def _paper_list(papers: list[Paper]) -> str:
    return "; ".join(f"arXiv:{p.id} {p.title} ({p.year or 'n.d.'})" for p in papers) or "nothing found"


def find_paper(paper_id: str, services: Services) -> Paper:
    try:
        return resolve_paper(paper_id.removeprefix("arXiv:").strip(), services)
    except AgentError as exc:
        raise ToolFailed(str(exc)) from None


# -- the runners ---------------------------------------------------------------------------------------
def search_papers(step: ChatStep, context: ToolContext) -> ToolResult:
    """The snapshot, the library and (online) arXiv, fused (`tools/search.py`). Nothing is written: the papers
    live in the thread, so a search never waits for another process that holds the library."""
    services = context.services
    query = _need(step.query, "a query", "search_papers")
    names = named_terms(query, services.vocabulary)  # "translate-train", "XNLI": searched on their own too
    outcome = services.search.search([" ".join(names)] if names else [], query, limit=SEARCH_RESULTS)
    papers = outcome.papers + _naming_papers(query, names, outcome.papers, services)
    sources = ", ".join(outcome.sources)
    return ToolResult(f"{len(papers)} papers from {sources}: {_paper_list(papers)}", papers)


def _naming_papers(query: str, names: list[str], found: list[Paper], services: Services) -> list[Paper]:
    """Snapshot papers that name a rare term of the question none of the papers found names ("intermediate-task
    training": BM25 reads it as two common words), closest to the question first, NAMING_PAPERS at most."""
    index = services.search.snapshot
    missing = [name for name in names if services.vocabulary.is_rare(name)
               and not any(term_pattern(name).search(f"{p.title} {p.abstract}") for p in found)]
    if not missing:
        return []
    patterns = [term_pattern(name) for name in missing]
    hits = [i for i, record in enumerate(index.records)
            if any(pattern.search(f"{record['title']} {record.get('abstract', '')}") for pattern in patterns)]
    if not hits:
        return []
    scores = index.vectors[hits] @ services.library.embedder.embed([query])[0]
    ranked = [hits[i] for i in np.argsort(-scores)[:NAMING_PAPERS]]
    return [index.paper(i) for i in ranked if index.ids[i] not in {p.id for p in found}]


def open_paper(step: ChatStep, context: ToolContext) -> ToolResult:
    services = context.services
    paper = find_paper(_need(step.paper_id, "a paper_id", "open_paper"), services)
    services.library.add_papers([paper])
    text = paper.abstract
    if step.full_text:
        chunks = [t for t in services.library.stored_texts(paper.id) if t != paper.abstract]
        text = " ".join(chunks) if chunks else f"(no full text indexed; the abstract) {paper.abstract}"
    shown = text if len(text) <= ABSTRACT_CHARS else text[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"
    return ToolResult(f"arXiv:{paper.id} {paper.title} ({paper.year or 'n.d.'}), by "
                      f"{', '.join(paper.authors[:3]) or 'unknown'}: {shown}", [paper])


def extract_claims(step: ChatStep, context: ToolContext) -> ToolResult:
    services = context.services
    paper = find_paper(_need(step.paper_id, "a paper_id", "extract_claims"), services)
    claims = extract_from_paper(paper, services.provider, limit=services.settings.max_claims_per_paper)
    listed = " ".join(f"({i}) {c.text}" for i, c in enumerate(claims, 1)) or "no checkable claim"
    return ToolResult(f"claims of arXiv:{paper.id}: {listed}", [paper], extracted=claims)


def verify_claim(step: ChatStep, context: ToolContext) -> ToolResult:
    services = context.services
    text = validate_claim(_need(step.claim, "the claim", "verify_claim"))
    paper_id = find_paper(step.paper_id, services).id if step.paper_id.strip() else None
    result, _ = check_claim(text, context.run, paper_id=paper_id)
    evidence = " ".join(f"{e.stance} arXiv:{e.paper_id}: \u201c{e.quote}\u201d" for e in result.evidence[:3])
    papers = [p for p in (services.library.get_paper(pid) for pid in dict.fromkeys(
        [result.paper_id, *(e.paper_id for e in result.evidence)])) if p is not None]
    calibrated = "calibrated" if result.calibrated else "uncalibrated"
    return ToolResult(f"{result.verdict} (confidence {result.confidence:.2f}, {calibrated}) for \u201c{text}\u201d, "
                      f"source arXiv:{result.paper_id}. Evidence: {evidence}", papers, [result])


def start_experiment(step: ChatStep, context: ToolContext) -> ToolResult:
    services = context.services
    if not step.eval_languages:
        raise ToolFailed("start_experiment needs eval_languages")
    proposal = ExperimentProposal(run_experiment=True, task=step.task, eval_languages=step.eval_languages,
                                  reason="asked in the chat")
    spec = spec_from_proposal(proposal, experiment_defaults(services.settings.experiment_defaults))
    if spec is None:
        raise ToolFailed(f"{step.task} has none of the languages {', '.join(step.eval_languages)} besides English")
    estimate = estimate_cost(spec)
    if not context.approve(approval_request(spec, estimate, "asked in the chat")):
        return ToolResult(f"the user did not approve the experiment ({spec.name}); nothing was started")
    record, new = services.experiments.submit(spec)
    return ToolResult(f"experiment {record.job_id} {'submitted' if new else 'already exists'} on {record.backend} "
                      f"({spec.name}; {estimate.describe()}); status {record.status}")


def test_claim(step: ChatStep, context: ToolContext) -> ToolResult:
    """Test one claim of the thread by running its experiment: the program decides whether it can, the user
    approves the runs, the chat waits for them and says what they show about the claim."""
    services = context.services
    claim = VerifiedClaim(id=step.claim_ref or "C?", text=_need(step.claim, "the claim", "test_claim"),
                          paper_id=step.paper_id, quote="", verdict="NOT_ENOUGH_INFO", confidence=0.0)
    tests, untestable = plan_claim_tests([claim], services.provider,
                                         experiment_defaults(services.settings.experiment_defaults))
    if not tests:
        return ToolResult(f"{claim.id} cannot be tested by experiment here: {untestable[0].reason}")
    test = tests[0]
    minutes = sum(estimate_cost(spec).minutes for spec in test.runs)
    if not context.approve(claim_tests_request(tests, test.runs, minutes)):
        return ToolResult(f"the user did not approve the test of {claim.id} ({test.prediction}); nothing was started")
    evidence = run_and_measure(test, services.experiments)
    rows = "; ".join(f"{a.run} {a.language} {a.mean:.3f} ± {a.sd:.3f}" for a in evidence.accuracies)
    return ToolResult(f"{claim.id} tested by experiment: {evidence.brief}. Prediction: {test.prediction}. "
                      f"Runs {', '.join(evidence.jobs)} ({evidence.statistic}). Accuracies: {rows}. "
                      f"Scale: {test.scale}.")


def experiment_status(step: ChatStep, context: ToolContext) -> ToolResult:
    manager = context.services.experiments
    record = manager.refresh(_need(step.job_id, "a job_id", "experiment_status"))
    if record.status != "SUCCEEDED":
        return ToolResult(f"experiment {record.job_id}: {record.status}" + (f" ({record.reason.splitlines()[0]})"
                                                                            if record.reason else ""))
    report = experiment_report(record, manager.metrics(record.job_id))
    rows = ", ".join(f"{r.language} {r.accuracy:.3f}" + (f" (published {r.published.model} {r.published.accuracy:.3f})"
                                                         if r.published else "") for r in report.per_language)
    return ToolResult(f"experiment {record.job_id} SUCCEEDED: {rows}; average {report.average:.3f}")


def cancel_experiment(step: ChatStep, context: ToolContext) -> ToolResult:
    record = context.services.experiments.cancel(_need(step.job_id, "a job_id", "cancel_experiment"))
    return ToolResult(f"experiment {record.job_id}: {record.status}")


def write_report(step: ChatStep, context: ToolContext) -> ToolResult:
    out_dir = Path(step.path.strip() or "runs/chat-report")
    report = report_from_conversation(context.thread, context.services, context.run.budget.elapsed())
    write_report_files(report, out_dir)
    return ToolResult(f"wrote {out_dir / 'report.html'} and report.md with {len(report.claims)} claims and "
                      f"{len(report.papers)} references")


# -- the list ------------------------------------------------------------------------------------------
TOOLS: dict[str, Callable[[ChatStep, ToolContext], ToolResult]] = {
    "search_papers": search_papers,
    "open_paper": open_paper,
    "extract_claims": extract_claims,
    "verify_claim": verify_claim,
    "start_experiment": start_experiment,
    "test_claim": test_claim,
    "experiment_status": experiment_status,
    "cancel_experiment": cancel_experiment,
    "write_report": write_report,
}
ARGUMENTS: dict[str, tuple[str, ...]] = {  # the ChatStep fields each tool reads
    "search_papers": ("query",), "open_paper": ("paper_id", "full_text"), "extract_claims": ("paper_id",),
    "verify_claim": ("claim", "paper_id"), "start_experiment": ("task", "eval_languages"),
    "test_claim": ("claim_ref", "claim"),
    "experiment_status": ("job_id",), "cancel_experiment": ("job_id",), "write_report": ("path",),
}


class ChatStep(BaseModel):
    """One tool call of a turn, as the turn's plan (`intent.py`) makes it; each tool checks what it needs."""

    action: Literal[tuple(TOOLS)]  # type: ignore[valid-type]
    query: str = Field("", max_length=1000)
    paper_id: str = Field("", max_length=40)
    claim: str = Field("", max_length=MAX_CLAIM_CHARS)
    full_text: bool = False
    task: Literal["xnli", "pawsx"] = "xnli"
    eval_languages: list[ExperimentLanguage] = Field(default_factory=list, max_length=6)
    job_id: str = Field("", max_length=40)
    path: str = Field("", max_length=200)
    claim_ref: str = Field("", max_length=8)

    def arguments(self) -> dict:
        """The arguments its tool reads, as given (for the transcript and the terminal)."""
        return {name: getattr(self, name) for name in ARGUMENTS[self.action]
                if getattr(self, name) not in ("", [], False)}
