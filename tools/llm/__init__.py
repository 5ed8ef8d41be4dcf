"""LLM providers behind one interface: structured output with a JSON schema, and label probabilities."""

from tools.llm.base import ChatResult, InvalidModelOutput, LLMProvider, ProviderUnavailable, UsageTracker, current_node

__all__ = ["ChatResult", "InvalidModelOutput", "LLMProvider", "ProviderUnavailable", "UsageTracker", "current_node"]
