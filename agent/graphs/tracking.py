"""What every node shares: usage accounting by node name, the run's budget, and progress events."""

from __future__ import annotations

import functools
import logging
import time
from typing import Any, Callable

from langgraph.runtime import Runtime

from agent.graphs.context import run_context
from agent.graphs.events import ProgressEvent, WarningEvent
from tools.llm.base import current_node

# The report is always written (it says what the budget cut); a verification already started finishes.
BUDGET_EXEMPT = {"report", "verify.gather", "verify.judge", "verify.aggregate"}

log = logging.getLogger("agent.nodes")  # one logger for the steps of every graph


def tracked(name: str) -> Callable:
    """Call the node as `node(state, services, runtime)`, attributing its model calls and wall time to
    `name`; skip it once the run's budget is spent."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(state: Any, runtime: Runtime) -> Any:
            run = run_context(runtime)
            services = run.services
            if name not in BUDGET_EXEMPT and run.budget.check(services.settings, services.tracker):
                first = not run.budget.skipped
                run.budget.skipped.append(name)
                if first:
                    return {"warnings": warn(runtime, f"stopped by {run.budget.stopped_by}; the remaining steps "
                                                      "are skipped and the report is partial")}
                return {}
            token = current_node.set(name)
            started = time.perf_counter()
            try:
                return func(state, services, runtime)
            finally:
                elapsed = time.perf_counter() - started
                services.tracker.record_wall(name, elapsed)
                current_node.reset(token)
                used = services.tracker.per_node.get(name)
                log.info("%s step done in %.1f s (node total: %d model calls, %d cached)", name, elapsed,
                         used.llm_calls if used else 0, used.cached_calls if used else 0)

        return wrapper

    return decorate


def emit(runtime: Runtime | None, event: ProgressEvent) -> None:
    """Send a progress event to whoever streams the run in `custom` mode (the CLI's live view)."""
    if runtime is not None:
        runtime.stream_writer(event)


def warn(runtime: Runtime | None, *messages: str) -> list[str]:
    """Show each warning live and return them for the state's `warnings` (they end up in the report)."""
    for message in messages:
        emit(runtime, WarningEvent(stage="warning", message=message))
    return list(messages)
