"""What a graph run carries besides its state: the long-lived services, and this run's budget.

Nodes receive it through LangGraph's runtime context (`context=RunContext(services)`). A graph run with no
context (LangGraph Studio / Server) uses services built from the settings.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from langgraph.runtime import Runtime

from agent.services import Services, default_services
from agent.settings import Settings
from tools.llm.base import UsageTracker


@dataclass
class RunBudget:
    """The run's clock, and the budget (calls, tokens, seconds) that ended it once one is spent."""

    started_at: float = field(default_factory=time.perf_counter)
    stopped_by: str | None = None  # the budget that ended the run, once one is reached
    skipped: list[str] = field(default_factory=list)  # steps not done because of it

    def elapsed(self) -> float:
        return time.perf_counter() - self.started_at

    def check(self, settings: Settings, tracker: UsageTracker) -> str | None:
        """The budget this run has used up, if any (checked before each step)."""
        if self.stopped_by is None:
            s, used = settings, tracker.totals()
            if s.budget_model_calls is not None and used.llm_calls >= s.budget_model_calls:
                self.stopped_by = f"the model-call budget ({s.budget_model_calls} calls, AGENT_BUDGET_MODEL_CALLS)"
            elif s.budget_tokens is not None and used.prompt_tokens + used.completion_tokens >= s.budget_tokens:
                self.stopped_by = f"the token budget ({s.budget_tokens} tokens, AGENT_BUDGET_TOKENS)"
            elif s.budget_wall_seconds is not None and self.elapsed() >= s.budget_wall_seconds:
                self.stopped_by = f"the time budget ({s.budget_wall_seconds:.0f} s, AGENT_BUDGET_WALL_SECONDS)"
        return self.stopped_by


@dataclass
class RunContext:
    services: Services = field(default_factory=default_services)
    budget: RunBudget = field(default_factory=RunBudget)


_unbound: RunContext | None = None
_unbound_lock = threading.Lock()


def run_context(runtime: Runtime | None) -> RunContext:
    """The context the run was given, or (for a graph invoked without one) a process-wide default."""
    # the LangGraph server passes the API's `context` (a dict, empty unless the caller gave one): the defaults
    if runtime is not None and runtime.context is not None and not isinstance(runtime.context, dict):
        if not isinstance(runtime.context, RunContext):  # a bare Services would silently run on the defaults
            raise TypeError(f"a graph's context is a RunContext, not {type(runtime.context).__name__}")
        return runtime.context
    global _unbound
    with _unbound_lock:
        if _unbound is None:
            _unbound = RunContext()
        return _unbound
