"""A search plan for a question: keyword queries (one per angle of the question) and sub-questions."""

from __future__ import annotations

from agent.records import SearchPlan
from prompts import render
from tools.llm.base import LLMProvider

MAX_QUERIES = 6
MAX_SUB_QUESTIONS = 4


def _clean(items: list[str], limit: int) -> list[str]:
    seen: set[str] = set()
    kept = []
    for item in items:
        text = " ".join(item.split()).strip(" .")
        if text and text.lower() not in seen:
            seen.add(text.lower())
            kept.append(text)
    return kept[:limit]


def make_plan(question: str, provider: LLMProvider) -> tuple[list[str], list[str]]:
    """(queries, sub_questions) for a question; raises InvalidModelOutput if the model cannot plan."""
    result = provider.structured(render("plan", question=question), SearchPlan, max_tokens=400)
    return _clean(result.queries, MAX_QUERIES) or [question], _clean(result.sub_questions, MAX_SUB_QUESTIONS)
