"""What the chat assistant can do, declared once: `TOOLS`, each with its name, description, the `ChatStep`
arguments it reads, its runner and whether it has a side effect.

The model picks a tool by filling `ChatStep` (constrained output, so a model with no native tool calling
works); a runner takes the step and a `ToolContext` and returns a `ToolResult`: a short summary for the
transcript, and the papers and claims it brought into the conversation. A tool that cannot run raises
`ToolFailed` with a message the user can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

from pydantic import BaseModel, Field

from agent.claims.extraction import extract_from_paper
from agent.errors import AgentError
from agent.experiments.approval import ApprovalRequest, approval_request
from agent.experiments.cost import estimate_cost
from agent.experiments.planning import experiment_defaults, spec_from_proposal
from agent.experiments.results import experiment_report
from agent.graphs.chat.state import ChatState
from agent.graphs.context import RunContext
from agent.graphs.verifier.check import check_claim, validate_claim
from agent.literature.lookup import resolve_paper
from agent.records import MAX_CLAIM_CHARS, ExperimentLanguage, ExperimentProposal, VerifiedClaim
from agent.report.conversation import report_from_conversation
from agent.report.files import write_report_files
from agent.services import Services
from tools.papers import Paper

SEARCH_RESULTS = 5
ABSTRACT_CHARS = 1200


class ToolFailed(Exception):
    """A tool call that could not run; the message is shown and the conversation goes on."""


@dataclass
class ToolResult:
    summary: str
    papers: list[Paper] = field(default_factory=list)
    claims: list[VerifiedClaim] = field(default_factory=list)


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
def search_arxiv(step: ChatStep, context: ToolContext) -> ToolResult:
    services = context.services
    query = _need(step.query, "a query", "search_arxiv")
    outcome = services.search.search([query], query, limit=SEARCH_RESULTS)
    services.library.add_papers(outcome.papers)
    sources = ", ".join(outcome.sources)
    return ToolResult(f"{len(outcome.papers)} papers from {sources}: {_paper_list(outcome.papers)}", outcome.papers)


def search_library(step: ChatStep, context: ToolContext) -> ToolResult:
    query = _need(step.query, "a query", "search_library")
    papers = [paper for paper, _ in context.services.library.search_library(query, k=SEARCH_RESULTS)]
    return ToolResult(f"{len(papers)} papers in the library: {_paper_list(papers)}", papers)


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
    return ToolResult(f"claims of arXiv:{paper.id}: {listed}", [paper])


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
@dataclass(frozen=True)
class ChatTool:
    name: str
    description: str  # what it does, as the model reads it
    run: Callable[[ChatStep, ToolContext], ToolResult]
    arguments: tuple[str, ...] = ()  # the ChatStep fields it reads
    optional: tuple[str, ...] = ()  # fields it reads when given
    # A tool that starts or stops work runs only when the user's own message asks for that (small models
    # sometimes pick one unbidden): the model's choice is not enough.
    asked_for: re.Pattern | None = None

    @property
    def side_effect(self) -> bool:
        return self.asked_for is not None

    def signature(self) -> str:
        arguments = [*self.arguments, *(f"{name} optional" for name in self.optional)]
        return f"{self.name}({', '.join(arguments)}): {self.description}"


TOOLS: tuple[ChatTool, ...] = (
    ChatTool("search_arxiv", "find papers on arXiv (or the offline snapshot) by keywords", search_arxiv,
             ("query",)),
    ChatTool("search_library", "find papers already read or indexed in the local library", search_library,
             ("query",)),
    ChatTool("open_paper", "read a paper's abstract (or its full text when indexed)", open_paper,
             ("paper_id", "full_text")),
    ChatTool("extract_claims", "list the factual claims a paper's abstract makes", extract_claims, ("paper_id",)),
    ChatTool("verify_claim", "check a claim against the papers (verdict, evidence)", verify_claim, ("claim",),
             ("paper_id",)),
    ChatTool("start_experiment", "fine-tune on English, test zero-shot on other languages (xnli or pawsx); asks "
             "the user first", start_experiment, ("task", "eval_languages"),
             asked_for=re.compile(r"\b(run|start|launch|experiment|fine-?tune|train)", re.IGNORECASE)),
    ChatTool("experiment_status", "status or results of an experiment", experiment_status, ("job_id",)),
    ChatTool("cancel_experiment", "stop a running experiment", cancel_experiment, ("job_id",),
             asked_for=re.compile(r"\b(cancel|stop|abort|kill)", re.IGNORECASE)),
    ChatTool("write_report", "write the conversation's papers and checked claims as a report", write_report,
             ("path",)),
)
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


def tool_menu() -> str:
    """The tools as the decide prompt lists them, and the one move that is not a tool."""
    return "\n".join(f"- {tool.signature()}" for tool in TOOLS) + "\n- answer: reply to the user"


def unasked_side_effect(action: str, user_message: str) -> bool:
    """The model picked a tool that starts or stops work, and the user's message did not ask for it."""
    tool = TOOLS_BY_NAME.get(action)
    return tool is not None and tool.asked_for is not None and not tool.asked_for.search(user_message)


def _used_by(argument: str, meaning: str) -> str:
    """A ChatStep field's description: the tools that read it, and what it is."""
    return ", ".join(t.name for t in TOOLS if argument in t.arguments or argument in t.optional) + f": {meaning}"


ChatAction = Literal[("answer", *TOOLS_BY_NAME)]  # type: ignore[valid-type]


class ChatStep(BaseModel):
    """The chat model's next move: answer, or call one tool. Flat, so a small model fills it reliably;
    each tool checks the arguments it needs."""

    action: ChatAction
    query: str = Field("", max_length=200, description=_used_by("query", "keywords"))
    paper_id: str = Field("", max_length=40, description=_used_by("paper_id", "an arXiv id"))
    claim: str = Field("", max_length=MAX_CLAIM_CHARS, description=_used_by("claim", "the claim to check"))
    full_text: bool = Field(False, description=_used_by("full_text", "the full text instead of the abstract"))
    task: Literal["xnli", "pawsx"] = Field("xnli", description=_used_by("task", "the task"))
    eval_languages: list[ExperimentLanguage] = Field(default_factory=list, max_length=6,
                                                     description=_used_by("eval_languages", "languages to test"))
    job_id: str = Field("", max_length=40, description=_used_by("job_id", "an experiment job id"))
    path: str = Field("", max_length=200, description=_used_by("path", "directory for the report"))

    def arguments(self) -> dict:
        """The arguments its tool reads, as given (for the transcript and the terminal)."""
        tool = TOOLS_BY_NAME.get(self.action)
        names = [*tool.arguments, *tool.optional] if tool else []
        return {name: getattr(self, name) for name in names if getattr(self, name) not in ("", [], False)}
