"""LLM providers behind one interface: structured output with a JSON schema, and label probabilities."""

from tools.llm.base import ChatResult, LLMProvider, ProviderUnavailable, UsageTracker, current_node

__all__ = ["ChatResult", "LLMProvider", "ProviderUnavailable", "UsageTracker", "current_node"]
