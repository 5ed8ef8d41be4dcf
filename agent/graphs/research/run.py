"""Run the research graph for one question, checkpointed: the code path behind `agent ask` (and `--resume`)."""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Callable

from agent.errors import InputError
from agent.graphs.context import RunContext
from agent.graphs.driver import drive, resume_command
from agent.graphs.research.graph import build_research_graph
from agent.report.model import Report
from agent.services import Services
from agent.stores.runs import RunStore

MAX_QUESTION_CHARS = 2000
log = logging.getLogger(__name__)


def validate_question(question: str) -> str:
    text = " ".join((question or "").split())
    if not text:
        raise InputError("the question is empty: ask something, e.g. agent ask \"How does X affect Y?\"")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(text)} characters long; keep it under {MAX_QUESTION_CHARS}")
    return text


def default_out_dir(question: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")[:48].rstrip("-") or "run"
    return Path("runs") / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{slug}"


def new_run_id() -> str:
    return f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def run_store(services: Services) -> RunStore:
    return RunStore(services.settings.data_dir / "runs.sqlite")


def run_research(question: str, services: Services, out_dir: Path,
                 on_event: Callable[[dict], None] | None = None,
                 experiments: str = "ask",
                 on_interrupt: Callable[[dict], object] | None = None,
                 run_id: str | None = None, resume: bool = False) -> Report:
    """Run the research graph to its report, checkpointed under `run_id` (default: a new id).

    `experiments`: "ask" (the graph interrupts for approval and `on_interrupt(payload)` answers; with no
    callback the experiment is declined), "yes" (approved up front) or "no" (never proposed).
    `resume`: continue the checkpointed run `run_id` from where it stopped; finished steps are not redone."""
    question = validate_question(question)
    run_id = run_id or new_run_id()
    log.info("run %s with settings %s", run_id, json.dumps(services.settings.public_dict(), default=str))
    _ = services.provider  # load the model (or fail with one clear line) before any work starts
    answer = on_interrupt or (lambda payload: {"approve": False})  # with nobody to ask, the answer is no
    store = run_store(services)
    try:
        graph = build_research_graph(checkpointer=store.checkpointer)
        config = {"configurable": {"thread_id": run_id}}
        if resume:
            start = resume_command(graph, config, answer)
        else:
            store.start(run_id, question, out_dir)
            start = {"question": question, "out_dir": str(out_dir), "experiment_policy": experiments}
        drive(graph, start, config, RunContext(services), on_event=on_event, on_interrupt=answer)
        store.finish(run_id)
    finally:
        store.close()
    return Report.model_validate_json((out_dir / "report.json").read_text(encoding="utf-8"))


def resume_target(run_id: str, services: Services) -> tuple[str, Path]:
    """The question and output directory of a checkpointed run."""
    store = run_store(services)
    try:
        info = store.get(run_id)
    finally:
        store.close()
    return info.question, Path(info.out_dir)
