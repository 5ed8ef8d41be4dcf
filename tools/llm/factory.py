"""Build the provider the settings name."""

from __future__ import annotations

from agent.settings import Settings
from tools.llm.base import LLMProvider, UsageTracker


def make_provider(settings: Settings, tracker: UsageTracker | None = None) -> LLMProvider:
    provider = _backend(settings, tracker)
    if settings.cache_responses:
        from tools.llm.cache import ResponseCache

        provider.cache = ResponseCache(settings.cache_dir / "llm")
    return provider


def _backend(settings: Settings, tracker: UsageTracker | None) -> LLMProvider:
    common = {"tracker": tracker, "seed": settings.seed, "temperature": settings.temperature,
              "max_tokens": settings.max_tokens}
    if settings.provider == "openai":
        from tools.llm.openai_provider import OpenAIProvider

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAIProvider(settings.model, api_key=key, base_url=settings.openai_base_url,
                              timeout=settings.request_timeout, **common)
    from tools.llm.local_provider import LocalProvider
    from tools.llm.model_files import resolve_model_file

    path = resolve_model_file(settings.model, settings.models_dir, settings.model_sha256)
    return LocalProvider(path, model_name=settings.model if path.stem == settings.model else path.name,
                         n_ctx=settings.n_ctx, n_threads=settings.n_threads, **common)
