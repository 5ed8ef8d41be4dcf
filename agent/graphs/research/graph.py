"""The research graph, wired in one place.

    plan ─► search ─► read ─Send per paper─► extract ─► collect ─Send per claim─► verify (the verifier graph)
         ─► propose_experiment ─(approved)─► submit_experiment ─► await_experiment ─► synthesize ─► review ─► report

Every node is a module of `nodes/` of the same name.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from agent.graphs.context import RunContext
from agent.graphs.research.nodes.await_experiment import await_experiment
from agent.graphs.research.nodes.collect import collect
from agent.graphs.research.nodes.extract import extract
from agent.graphs.research.nodes.plan import plan
from agent.graphs.research.nodes.propose_experiment import propose_experiment
from agent.graphs.research.nodes.read import read
from agent.graphs.research.nodes.report import report
from agent.graphs.research.nodes.review import review
from agent.graphs.research.nodes.search import search
from agent.graphs.research.nodes.submit_experiment import submit_experiment
from agent.graphs.research.nodes.synthesize import synthesize
from agent.graphs.research.nodes.verify import verify
from agent.graphs.research.state import ClaimTask, PaperTask, ResearchState


def route_papers(state: ResearchState) -> list[Send] | str:
    papers = state.get("papers", [])
    if not papers:
        return "collect"
    return [Send("extract", PaperTask(paper=p, rank=i, question=state["question"],
                                      sub_questions=state.get("sub_questions", [])))
            for i, p in enumerate(papers)]


def route_claims(state: ResearchState) -> list[Send] | str:
    claims = state.get("claims", [])
    if not claims:
        return "propose_experiment"
    return [Send("verify", ClaimTask(claim=c)) for c in claims]


def route_experiment(state: ResearchState) -> str:
    return "submit_experiment" if state.get("experiment_specs") else "synthesize"


def build_research_graph(checkpointer=None):
    graph = StateGraph(ResearchState, context_schema=RunContext)
    graph.add_node("plan", plan)
    graph.add_node("search", search)
    graph.add_node("read", read)
    graph.add_node("extract", extract)
    graph.add_node("collect", collect)
    graph.add_node("verify", verify)
    graph.add_node("propose_experiment", propose_experiment)
    graph.add_node("submit_experiment", submit_experiment)
    graph.add_node("await_experiment", await_experiment)
    graph.add_node("synthesize", synthesize)
    graph.add_node("review", review)
    graph.add_node("report", report)

    graph.add_edge(START, "plan")
    graph.add_edge("plan", "search")
    graph.add_edge("search", "read")
    graph.add_conditional_edges("read", route_papers, ["extract", "collect"])
    graph.add_edge("extract", "collect")
    graph.add_conditional_edges("collect", route_claims, ["verify", "propose_experiment"])
    graph.add_edge("verify", "propose_experiment")
    graph.add_conditional_edges("propose_experiment", route_experiment, ["submit_experiment", "synthesize"])
    graph.add_edge("submit_experiment", "await_experiment")
    graph.add_edge("await_experiment", "synthesize")
    graph.add_edge("synthesize", "review")
    graph.add_edge("review", "report")
    graph.add_edge("report", END)
    return graph.compile(checkpointer=checkpointer, name="research")


# For LangGraph Studio / Server (langgraph.json): services are built from settings on first use.
graph = build_research_graph()
