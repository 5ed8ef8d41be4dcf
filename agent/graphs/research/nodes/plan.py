"""plan: turn the question into search queries and sub-questions."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.graphs.events import PlanEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.literature.plan import make_plan
from agent.services import Services
from tools.llm.base import InvalidModelOutput


@tracked("plan")
def plan(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    try:
        queries, sub_questions = make_plan(state["question"], services.provider)
    except InvalidModelOutput as exc:
        return {"queries": [state["question"]], "sub_questions": [],
                "warnings": warn(runtime, f"planning failed ({exc}); searching with the question itself")}
    emit(runtime, PlanEvent(stage="plan", queries=queries))
    return {"queries": queries, "sub_questions": sub_questions}
