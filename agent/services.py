"""The long-lived things graph nodes use: settings, the model provider, the library, search.

Nodes receive them through LangGraph's runtime context (`context=Services(...)`); when a graph is
run without one (LangGraph Studio/Server), they are built from the settings on first use.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cached_property

from langgraph.runtime import Runtime

from agent.settings import Settings, load_settings
from tools.llm.base import LLMProvider, UsageTracker


@dataclass
class Services:
    settings: Settings
    tracker: UsageTracker = field(default_factory=UsageTracker)
    provider_override: LLMProvider | None = None
    started_at: float = field(default_factory=time.perf_counter)

    budget_stop: str | None = None  # the budget that ended the run, once one is reached
    skipped: list[str] = field(default_factory=list)  # steps not done because of it

    def elapsed(self) -> float:
        return time.perf_counter() - self.started_at

    def check_budget(self) -> str | None:
        """The budget this run has used up, if any (checked before each step)."""
        if self.budget_stop is None:
            s, used = self.settings, self.tracker.totals()
            if s.budget_model_calls is not None and used.llm_calls >= s.budget_model_calls:
                self.budget_stop = f"the model-call budget ({s.budget_model_calls} calls, AGENT_BUDGET_MODEL_CALLS)"
            elif s.budget_tokens is not None and used.prompt_tokens + used.completion_tokens >= s.budget_tokens:
                self.budget_stop = f"the token budget ({s.budget_tokens} tokens, AGENT_BUDGET_TOKENS)"
            elif s.budget_wall_seconds is not None and self.elapsed() >= s.budget_wall_seconds:
                self.budget_stop = f"the time budget ({s.budget_wall_seconds:.0f} s, AGENT_BUDGET_WALL_SECONDS)"
        return self.budget_stop

    @cached_property
    def provider(self) -> LLMProvider:
        if self.provider_override is not None:
            return self.provider_override
        from tools.llm.factory import make_provider

        return make_provider(self.settings, self.tracker)

    @cached_property
    def calibration(self):
        """The fitted calibration map for this provider and model, or None (confidences uncalibrated)."""
        from agent.calibration import load_calibration

        return load_calibration(self.provider.name, self.provider.model)

    @cached_property
    def library(self):
        from tools.embeddings import default_embedder
        from tools.library import PaperLibrary

        return PaperLibrary(self.settings.chroma_dir, default_embedder(), chroma_url=self.settings.chroma_url,
                            lock_timeout=self.settings.library_lock_timeout)

    @cached_property
    def arxiv(self):
        """The live arXiv tool (polite, cached), or None when offline."""
        if self.settings.offline:
            return None
        from tools.arxiv_tool import ArxivTool

        s = self.settings
        return ArxivTool(s.cache_dir / "arxiv", delay_seconds=s.arxiv_delay_seconds, max_retries=s.arxiv_max_retries,
                         timeout=s.arxiv_timeout, cache_ttl_seconds=s.arxiv_cache_ttl_hours * 3600,
                         endpoint=s.arxiv_endpoint)

    @cached_property
    def search(self):
        from tools.search import LiteratureSearch

        return LiteratureSearch(self.library, offline=self.settings.offline, arxiv_tool=self.arxiv)


_default: Services | None = None
_default_lock = threading.Lock()


def services_of(runtime: Runtime | None) -> Services:
    """The services passed as the run's context, or process-wide defaults built from settings."""
    if runtime is not None and isinstance(runtime.context, Services):
        return runtime.context
    global _default
    with _default_lock:
        if _default is None:
            _default = Services(settings=load_settings())
        return _default
