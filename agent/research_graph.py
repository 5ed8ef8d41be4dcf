"""The research graph, wired in one place.

    plan ─► search ─► read ─Send per paper─► extract_claims ─► collect_claims
         ─Send per claim─► verify_claim (the verifier graph) ─► propose_experiment
         ─(approved)─► submit_experiment ─► await_experiment ─► synthesize ─► review ─► write_report
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from agent.nodes.experiment import await_experiment, propose_experiment, route_experiment, submit_experiment
from agent.nodes.extract import collect_claims, extract_claims
from agent.nodes.plan import plan
from agent.nodes.review import review
from agent.nodes.search import read, search
from agent.nodes.synthesize import synthesize
from agent.nodes.verify import verify_claim
from agent.nodes.write_report import write_report
from agent.services import Services
from agent.state import ClaimTask, PaperTask, ResearchState


def route_papers(state: ResearchState) -> list[Send] | str:
    papers = state.get("papers", [])
    if not papers:
        return "collect_claims"
    return [Send("extract_claims", PaperTask(paper=p, rank=i)) for i, p in enumerate(papers)]


def route_claims(state: ResearchState) -> list[Send] | str:
    claims = state.get("claims", [])
    if not claims:
        return "propose_experiment"
    return [Send("verify_claim", ClaimTask(claim=c)) for c in claims]


def build_research_graph(checkpointer=None):
    graph = StateGraph(ResearchState, context_schema=Services)
    graph.add_node("plan", plan)
    graph.add_node("search", search)
    graph.add_node("read", read)
    graph.add_node("extract_claims", extract_claims)
    graph.add_node("collect_claims", collect_claims)
    graph.add_node("verify_claim", verify_claim)
    graph.add_node("propose_experiment", propose_experiment)
    graph.add_node("submit_experiment", submit_experiment)
    graph.add_node("await_experiment", await_experiment)
    graph.add_node("synthesize", synthesize)
    graph.add_node("review", review)
    graph.add_node("write_report", write_report)

    graph.add_edge(START, "plan")
    graph.add_edge("plan", "search")
    graph.add_edge("search", "read")
    graph.add_conditional_edges("read", route_papers, ["extract_claims", "collect_claims"])
    graph.add_edge("extract_claims", "collect_claims")
    graph.add_conditional_edges("collect_claims", route_claims, ["verify_claim", "propose_experiment"])
    graph.add_edge("verify_claim", "propose_experiment")
    graph.add_conditional_edges("propose_experiment", route_experiment, ["submit_experiment", "synthesize"])
    graph.add_edge("submit_experiment", "await_experiment")
    graph.add_edge("await_experiment", "synthesize")
    graph.add_edge("synthesize", "review")
    graph.add_edge("review", "write_report")
    graph.add_edge("write_report", END)
    return graph.compile(checkpointer=checkpointer, name="research")


# For LangGraph Studio / Server (langgraph.json): services are built from settings on first use.
graph = build_research_graph()
