"""The verifier graph: one claim in; verdict, quoted evidence with stances, and a confidence out.

    gather ──Send per passage──► judge ──► aggregate

Compiled on its own, once (`graph`), used by the research graph for every claim and usable alone
(`agent verify`, the eval suites, the chat): see `agent.graphs.verifier.verify`. Paper text is screened
before it is judged (`passages.py`); the aggregation rule is stated in `agent/claims/verdicts.py`.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from agent.graphs.context import RunContext
from agent.graphs.verifier.nodes import aggregate, gather, judge
from agent.graphs.verifier.state import JudgeTask, VerifyState


def route_passages(state: VerifyState) -> list[Send] | str:
    if not state.get("passages"):
        return "aggregate"
    return [Send("judge", JudgeTask(claim=state["claim"], passage=p)) for p in state["passages"]]


def build_verifier_graph():
    graph = StateGraph(VerifyState, context_schema=RunContext)
    graph.add_node("gather", gather)
    graph.add_node("judge", judge)
    graph.add_node("aggregate", aggregate)

    graph.add_edge(START, "gather")
    graph.add_conditional_edges("gather", route_passages, ["judge", "aggregate"])
    graph.add_edge("judge", "aggregate")
    graph.add_edge("aggregate", END)
    return graph.compile(name="verifier")


graph = build_verifier_graph()
