"""plan: turn the question into search queries and sub-questions."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.nodes.common import Services, emit, tracked, warn
from agent.records import SearchPlan
from agent.state import ResearchState
from prompts import render
from tools.llm.base import InvalidModelOutput, LLMProvider

MAX_QUERIES = 6


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
    return _clean(result.queries, MAX_QUERIES) or [question], _clean(result.sub_questions, 4)


@tracked("plan")
def plan(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    try:
        queries, sub_questions = make_plan(state["question"], services.provider)
    except InvalidModelOutput as exc:
        return {"queries": [state["question"]], "sub_questions": [],
                "warnings": warn(runtime, f"planning failed ({exc}); searching with the question itself")}
    emit(runtime, stage="plan", queries=queries)
    return {"queries": queries, "sub_questions": sub_questions}
