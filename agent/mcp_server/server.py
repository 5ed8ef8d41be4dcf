"""`agent mcp`: the assistant as a Model Context Protocol server over stdio, built on the official SDK's
`MCPServer`, so an editor or chat client (Claude Desktop, Cursor, VS Code, open_deep_research) can use it.

Tools: `search_papers`, `get_paper`, `verify_claim`, `ask` (a whole research run, reporting progress as it
goes), `list_reports`, `read_report`. Resources: `report://<run id>` (a report's Markdown) for every finished
run, and `report://<run id>/<file>` for its other files. The settings are the one settings object
(`AGENT_*`, `.env`); the services (model, library, search) are built on the first call that needs them, so a
client connects at once. A failure the user can act on comes back as a tool error with its one-line
message; anything else as a tool error naming the tool, the details in the server's log, never a traceback.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.mcpserver.resources import FileResource
from pydantic import BaseModel, Field

from agent.errors import AgentError
from agent.graphs.events import STAGE_LABELS
from agent.report.files import FILE_NAMES
from agent.services import Services
from agent.settings import Settings
from agent.stores.runs import RunInfo, RunStore

log = logging.getLogger(__name__)
INSTRUCTIONS = (
    "A research assistant for ML/NLP literature. search_papers finds arXiv papers (an offline snapshot, the "
    "user's library, live arXiv when reachable); verify_claim checks one claim against quoted evidence; ask "
    "runs a whole research question (minutes on a laptop) and returns a cited report's answer and path. "
    "Cite papers by the ids these tools return."
)
_STAGES = list(STAGE_LABELS)


class PaperHit(BaseModel):
    id: str
    title: str
    authors: list[str]
    year: int | None
    url: str
    score: float


class SearchResult(BaseModel):
    papers: list[PaperHit]
    sources: list[str] = Field(description="where the papers came from: snapshot, library, arxiv")
    warnings: list[str] = Field(default_factory=list)


class PaperRecord(BaseModel):
    id: str
    title: str
    authors: list[str]
    year: int | None
    abstract: str
    url: str
    categories: list[str]
    in_library: bool
    has_full_text: bool


class EvidenceItem(BaseModel):
    paper_id: str
    stance: str
    probability: float
    quote: str
    is_source: bool


class ClaimCheck(BaseModel):
    claim: str
    verdict: str
    confidence: float
    calibrated: bool
    source_paper: str
    evidence: list[EvidenceItem]
    warnings: list[str] = Field(default_factory=list)


class ClaimLine(BaseModel):
    id: str
    text: str
    verdict: str
    confidence: float
    paper_id: str


class AskResult(BaseModel):
    run_id: str
    report_dir: str
    report_path: str = Field(description="report.md; report.html, report.json and references.bib lie beside it")
    answer: str
    claims: list[ClaimLine]
    papers_cited: int
    warnings: list[str]


class ReportListing(BaseModel):
    run_id: str
    question: str
    status: str
    report_dir: str
    has_report: bool
    resource: str | None = Field(None, description="the report's resource URI, once it is written")


class _Lazy:
    """The services, built once on first use (from any of the server's worker threads)."""

    def __init__(self, settings: Settings) -> None:
        self.settings, self._services, self._lock = settings, None, threading.Lock()

    def get(self) -> Services:
        with self._lock:
            if self._services is None:
                self._services = Services(settings=self.settings)
            return self._services


def _runs(settings: Settings) -> list[RunInfo]:
    store = RunStore(settings.data_dir / "runs.sqlite")
    try:
        return store.recent(limit=1000)
    finally:
        store.close()


def _report_dir(run: RunInfo) -> Path:
    return Path(run.out_dir).resolve()  # recorded absolute since `agent mcp` lists runs; older ones from here


async def _in_thread(tool: str, work, *args):
    """Run blocking work off the event loop; errors the user can act on keep their message."""
    try:
        return await anyio.to_thread.run_sync(work, *args)
    except ToolError:
        raise
    except AgentError as exc:
        raise ToolError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a crash: its details go to the log, not to the client
        log.exception("tool %s failed", tool)
        raise ToolError(f"internal error in {tool}: {type(exc).__name__}") from None


def build_server(settings: Settings) -> MCPServer:
    lazy = _Lazy(settings)
    server = MCPServer(name="research-agent", instructions=INSTRUCTIONS)

    published: set[str] = set()

    def publish(run_id: str, report_dir: Path) -> str | None:
        """Make a finished report a listed resource (once: the SDK warns on a repeat); returns its URI."""
        path = report_dir / "report.md"
        if not path.is_file():
            return None
        uri = f"report://{run_id}"
        if uri not in published:
            server.add_resource(FileResource(uri=uri, name=f"report {run_id}", path=path.resolve(),
                                             mime_type="text/markdown"))
            published.add(uri)
        return uri

    @server.tool()
    async def search_papers(query: str, k: int = 10, year_from: int | None = None, year_to: int | None = None,
                            categories: list[str] | None = None) -> SearchResult:
        """Find papers for a query or a research question, best first (arXiv ids; `local:` for the user's own)."""
        from tools.library import PaperFilter

        def work() -> SearchResult:
            text = " ".join(query.split())
            if not text:
                raise ToolError("the query is empty")
            filters = PaperFilter(year_from=year_from, year_to=year_to, categories=categories or [])
            found = lazy.get().search.search([], text, limit=max(1, min(k, 100)),
                                             filters=None if filters.is_empty() else filters)
            return SearchResult(papers=[PaperHit(id=p.id, title=p.title, authors=p.authors, year=p.year, url=p.url,
                                                 score=round(found.scores[p.id], 4)) for p in found.papers],
                                sources=found.sources, warnings=found.warnings)

        return await _in_thread("search_papers", work)

    @server.tool()
    async def get_paper(paper_id: str) -> PaperRecord:
        """One paper's record: title, authors, year, abstract, and whether its full text is in the library."""
        from tools.papers import normalize_arxiv_id
        from tools.snapshot import snapshot_by_id

        def work() -> PaperRecord:
            services = lazy.get()
            pid = paper_id.strip() if paper_id.strip().startswith("local:") else normalize_arxiv_id(paper_id)
            stored = services.library.get_paper(pid)
            paper = stored or snapshot_by_id().get(pid)
            if paper is None:
                raise ToolError(f"no paper {paper_id!r} in the library or the offline snapshot")
            return PaperRecord(id=paper.id, title=paper.title, authors=paper.authors, year=paper.year,
                               abstract=paper.abstract, url=paper.url, categories=paper.categories,
                               in_library=stored is not None,
                               has_full_text=stored is not None and services.library.has_full_text(pid))

        return await _in_thread("get_paper", work)

    @server.tool()
    async def verify_claim(claim: str, paper_id: str | None = None) -> ClaimCheck:
        """Check one factual claim against the papers it is about: a verdict (SUPPORTED, REFUTED,
        NOT_ENOUGH_INFO), a confidence, and the quoted evidence with each paper's stance."""
        from agent.graphs.context import RunContext
        from agent.graphs.verifier.check import check_claim

        def work() -> ClaimCheck:
            result, warnings = check_claim(claim, RunContext(lazy.get()), paper_id=paper_id or None)
            return ClaimCheck(claim=result.text, verdict=result.verdict, confidence=result.confidence,
                              calibrated=result.calibrated, source_paper=result.paper_id, warnings=warnings,
                              evidence=[EvidenceItem(paper_id=e.paper_id, stance=e.stance, quote=e.quote,
                                                     probability=e.probabilities.get(e.stance, 0.0),
                                                     is_source=e.is_source) for e in result.evidence])

        return await _in_thread("verify_claim", work)

    @server.tool()
    async def ask(question: str, ctx: Context, run_experiments: bool = False) -> AskResult:
        """Run a whole research question: plan, search, read, extract and verify claims, write a cited report.
        Takes minutes with a local model; reports progress. `run_experiments` approves a proposed transfer
        experiment up front (it is never run otherwise)."""
        from agent.graphs.research.run import new_run_id, run_research, validate_question

        try:
            text = validate_question(question)
        except AgentError as exc:
            raise ToolError(str(exc)) from None
        run_id = new_run_id()
        out_dir = settings.reports_dir / run_id
        step = {"n": 0}

        def on_event(event: dict) -> None:
            stage = event.get("stage", "")
            message = event.get("message") if stage == "warning" else STAGE_LABELS.get(stage, stage)
            if stage in _STAGES:
                step["n"] = max(step["n"], _STAGES.index(stage) + 1)
            detail = event.get("paper_id") or event.get("claim_id") or ""
            anyio.from_thread.run(ctx.report_progress, step["n"], len(_STAGES),
                                  f"{message}{f': {detail}' if detail else ''}")

        def work():
            return run_research(text, lazy.get(), out_dir, on_event=on_event,
                                experiments="yes" if run_experiments else "no", run_id=run_id)

        report = await _in_thread("ask", work)
        publish(run_id, out_dir)
        return AskResult(run_id=run_id, report_dir=str(out_dir.resolve()),
                         report_path=str((out_dir / "report.md").resolve()), answer=report.answer,
                         claims=[ClaimLine(id=c.id, text=c.text, verdict=c.verdict, confidence=c.confidence,
                                           paper_id=c.paper_id) for c in report.claims],
                         papers_cited=len(report.papers), warnings=report.warnings)

    @server.tool()
    async def list_reports(limit: int = 20) -> list[ReportListing]:
        """The most recent research runs (from `ask` here or `agent ask`), newest first."""

        def work() -> list[ReportListing]:
            listings = []
            for run in _runs(settings)[: max(1, limit)]:
                report_dir = _report_dir(run)
                has_report = (report_dir / "report.json").is_file()
                listings.append(ReportListing(run_id=run.run_id, question=run.question, status=run.status,
                                              report_dir=str(report_dir), has_report=has_report,
                                              resource=publish(run.run_id, report_dir) if has_report else None))
            return listings

        return await _in_thread("list_reports", work)

    def report_text(run_id: str, fmt: str) -> str:
        from agent.report.files import write_report_files
        from agent.report.model import load_report

        run = next((r for r in _runs(settings) if r.run_id == run_id), None)
        if run is None:
            raise ToolError(f"no run {run_id!r}: list_reports names the runs there are")
        report_dir = _report_dir(run)
        path = report_dir / FILE_NAMES[fmt]
        if not path.is_file():  # an older run, or a format written on request: render it from report.json
            write_report_files(load_report(report_dir), report_dir, (fmt,))
        return path.read_text(encoding="utf-8")

    @server.tool()
    async def read_report(run_id: str, format: Literal["md", "json", "bib", "csl", "csv", "html"] = "md") -> str:
        """A finished run's report: Markdown (md), report.json, references.bib (bib), CSL-JSON (csl), the
        claims table (csv) or the HTML page."""
        return await _in_thread("read_report", report_text, run_id, format)

    @server.resource("report://{run_id}/{name}", mime_type="text/plain")
    async def report_file(run_id: str, name: str) -> str:
        """One file of a finished run: report.md, report.json, report.html, references.bib, references.json."""
        fmt = next((f for f, file_name in FILE_NAMES.items() if file_name == name), None)
        if fmt is None:
            raise ResourceNotFoundError(f"no such report file {name!r}: one of {', '.join(FILE_NAMES.values())}")
        try:
            return await anyio.to_thread.run_sync(report_text, run_id, fmt)
        except (ToolError, AgentError) as exc:
            raise ResourceNotFoundError(str(exc)) from None

    try:
        for run in _runs(settings):
            publish(run.run_id, _report_dir(run))
    except AgentError as exc:  # an unreadable run index lists no reports; the tools still say why
        log.warning("no reports listed: %s", exc)
    return server
