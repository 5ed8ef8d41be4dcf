"""The long-lived things graph nodes use: settings, the model provider, the library, search, experiments.

Only dependencies live here; what belongs to one run (its budget, its start time) is in the graph's run context
(`agent/graphs/context.py`). Everything is built on first use, so a command that needs no model loads none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from agent.claims.calibration import CalibrationMap, load_calibration
from agent.claims.judging import CROSS_ENCODER, StackMap, load_stack, resolve_judge
from agent.settings import Settings, load_settings
from tools.llm.base import LLMProvider, UsageTracker
from tools.papers import Paper
from tools.snapshot import snapshot_by_id

if TYPE_CHECKING:  # imported where first used: a command that never searches never loads the search stack
    from tools.arxiv_tool import ArxivTool
    from tools.experiments.manager import ExperimentManager
    from tools.judge import CrossEncoderJudge
    from tools.library import PaperLibrary
    from tools.reader import FullTextReader
    from tools.search import LiteratureSearch
    from tools.vocabulary import Vocabulary


def make_provider(settings: Settings, tracker: UsageTracker | None = None) -> LLMProvider:
    """The provider the settings name, with the on-disk response cache unless it is switched off."""
    common = {"tracker": tracker, "seed": settings.seed, "temperature": settings.temperature,
              "max_tokens": settings.max_tokens}
    if settings.provider == "openai":
        from tools.llm.openai_provider import OpenAIProvider

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        provider: LLMProvider = OpenAIProvider(settings.model, api_key=key, base_url=settings.openai_base_url,
                                               timeout=settings.request_timeout, **common)
    else:
        from tools.llm.local_provider import LocalProvider
        from tools.llm.model_files import resolve_model_file

        path = resolve_model_file(settings.model, settings.models_dir, settings.model_sha256)
        provider = LocalProvider(path, model_name=settings.model if path.stem == settings.model else path.name,
                                 n_ctx=settings.n_ctx, n_threads=settings.n_threads, **common)
    if settings.cache_responses:
        from tools.llm.cache import ResponseCache

        provider.cache = ResponseCache(settings.cache_dir / "llm")
    return provider


@dataclass
class Services:
    settings: Settings
    tracker: UsageTracker = field(default_factory=UsageTracker)
    provider_override: LLMProvider | None = None
    # Told, once, when the library is held by another process and this one waits for it (the chat says so in
    # its own words instead of a logger line).
    on_library_wait: Callable[[str], None] | None = None

    @cached_property
    def provider(self) -> LLMProvider:
        return self.provider_override or make_provider(self.settings, self.tracker)

    @cached_property
    def calibration(self) -> CalibrationMap | None:
        """The fitted calibration map for this provider and model, or None (confidences uncalibrated)."""
        return load_calibration(self.provider.name, self.provider.model)

    def calibration_for(self, kind: str | None) -> CalibrationMap | None:
        """The map fitted for one judgment kind ("faithfulness", "corroboration": `evals/pairs_calibration.py`),
        falling back on the default map when none is shipped for it; for the judge in use."""
        provider, model = self.judge_identity
        fitted = load_calibration(provider, model, kind) if kind else None
        if fitted:
            return fitted
        return self.calibration if self.judge_name == "llm" else load_calibration(provider, model)

    @cached_property
    def model_key(self) -> tuple[str, str]:
        """(provider, model) a judge's stack and maps are filed under, known without loading the model."""
        if self.provider_override is not None:
            return self.provider_override.name, self.provider_override.model
        return self.settings.provider, Path(self.settings.model).name  # what the provider reports as its model

    @cached_property
    def judge_name(self) -> str:
        """The judge that labels claim–passage pairs: cross-encoder, llm or stack (`agent/claims/judging.py`)."""
        return resolve_judge(self.settings.judge, *self.model_key)

    @property
    def judge_uses_llm(self) -> bool:
        return self.judge_name == "llm" or (self.judge_name == "stack" and (self.stack is None or self.stack.uses_llm))

    @property
    def judge_identity(self) -> tuple[str, str]:
        """(provider, model) the judge's calibration maps are filed under."""
        if self.judge_name == "cross-encoder":
            return CROSS_ENCODER
        if self.judge_name == "stack" and self.stack is not None:
            return "stack", "__".join(self.model_key)
        return self.provider.name, self.provider.model

    @property
    def judge_calibrated(self) -> bool:
        """The judge's confidences are calibrated (a fitted stack is, by its fit)."""
        return self.stack is not None or self.calibration_for(None) is not None

    @property
    def judge_description(self) -> str:
        """The judge in words, for a report's method section."""
        if self.judge_name == "llm" or (self.judge_name == "stack" and self.stack is None):
            return f"{self.model_key[1]} label probabilities"
        parts = ["MiniLM cross-encoder trained here"]
        if self.stack is not None and self.stack.uses_llm:
            parts.insert(0, f"{self.model_key[1]} on the sentences closest to the claim")
        if self.stack is not None:
            parts.append("the program's negation, direction, number and table checks")
        return ("stacked: " if self.stack is not None else "") + ", ".join(parts)

    @cached_property
    def stack(self) -> StackMap | None:
        """The fitted combination the judge in use applies: the LLM's, the cross-encoder's and the program's
        signals for `stack`; the cross-encoder's and the signals for `cross-encoder` (None: no stack shipped)."""
        if self.judge_name == "cross-encoder":
            return load_stack(*CROSS_ENCODER)
        return load_stack(*self.model_key) if self.judge_name == "stack" else None

    @cached_property
    def cross_encoder(self) -> CrossEncoderJudge:
        from tools.judge import load_judge

        return load_judge()

    @cached_property
    def library(self) -> PaperLibrary:
        from tools.embeddings import default_embedder
        from tools.library import PaperLibrary

        s = self.settings
        return PaperLibrary(s.chroma_dir, default_embedder(), chroma_url=s.chroma_url,
                            lock_timeout=s.library_lock_timeout, on_wait=self.on_library_wait)

    @cached_property
    def arxiv(self) -> ArxivTool | None:
        """The live arXiv tool (polite, cached), or None when offline."""
        if self.settings.offline:
            return None
        from tools.arxiv_tool import ArxivTool

        s = self.settings
        return ArxivTool(s.cache_dir / "arxiv", delay_seconds=s.arxiv_delay_seconds, max_retries=s.arxiv_max_retries,
                         timeout=s.arxiv_timeout, cache_ttl_seconds=s.arxiv_cache_ttl_hours * 3600,
                         endpoint=s.arxiv_endpoint)

    @cached_property
    def search(self) -> LiteratureSearch:
        from tools.search import LiteratureSearch
        from tools.snapshot_index import snapshot_index

        return LiteratureSearch(self.library, offline=self.settings.offline, arxiv_tool=self.arxiv,
                                snapshot=snapshot_index(self.settings.cache_dir / "snapshot"))

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """Which words are names (datasets, models, methods, languages), as the bundled snapshot writes them."""
        from tools.snapshot_index import snapshot_index

        return snapshot_index(self.settings.cache_dir / "snapshot").vocabulary

    @cached_property
    def reader(self) -> FullTextReader:
        from tools.reader import FullTextReader

        s = self.settings
        return FullTextReader(self.library, s.cache_dir / "pdf", delay_seconds=s.arxiv_delay_seconds,
                              timeout=s.arxiv_timeout)

    @cached_property
    def experiments(self) -> ExperimentManager:
        from tools.experiments.manager import ExperimentManager

        s = self.settings
        return ExperimentManager(s.experiments_dir, s.models_dir / "hf", ray_address=s.ray_address,
                                 slurm_cluster=None if s.slurm_cluster == "auto" else s.slurm_cluster,
                                 slurm_partition=s.slurm_partition)

    def find_paper(self, paper_id: str) -> Paper | None:
        """A paper by id from the library, else from the bundled snapshot (no network)."""
        return self.library.get_paper(paper_id) or snapshot_by_id().get(paper_id)


@lru_cache(maxsize=1)
def default_services() -> Services:
    """Services built from the settings, for graphs run without a context (LangGraph Studio / Server)."""
    return Services(settings=load_settings())
