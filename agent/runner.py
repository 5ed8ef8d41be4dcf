"""Run the research graph for one question: the code path behind `agent ask`."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Callable

from agent.errors import InputError
from agent.report import Report
from agent.services import Services

MAX_QUESTION_CHARS = 2000


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


def run_research(question: str, services: Services, out_dir: Path,
                 on_event: Callable[[dict], None] | None = None,
                 experiments: str = "ask",
                 on_interrupt: Callable[[dict], object] | None = None) -> Report:
    """Run the research graph to its report.

    `experiments`: "ask" (the graph interrupts for approval and `on_interrupt(payload)` answers; with no
    callback the experiment is declined), "yes" (approved up front) or "no" (never proposed)."""
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    from agent.research_graph import build_research_graph

    question = validate_question(question)
    _ = services.provider  # load the model (or fail with one clear line) before any work starts
    graph = build_research_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": str(out_dir)}}
    pending: object = {"question": question, "out_dir": str(out_dir), "experiment_policy": experiments}
    while pending is not None:
        interrupts = []
        for mode, chunk in graph.stream(pending, config, context=services, stream_mode=["custom", "updates"]):
            if mode == "custom" and on_event is not None:
                on_event(chunk)
            elif mode == "updates" and "__interrupt__" in chunk:
                interrupts.extend(chunk["__interrupt__"])
        pending = None
        if interrupts:
            payload = interrupts[0].value
            answer = on_interrupt(payload) if on_interrupt is not None else {"approve": False}
            pending = Command(resume=answer)
    return Report.model_validate_json((out_dir / "report.json").read_text(encoding="utf-8"))
