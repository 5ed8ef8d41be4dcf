"""The chat graph: one turn of a research conversation, tool by tool.

    START ─► decide ─(a tool)─► run_tool ─► decide ─ … ─(answer)─► answer ─► END

`decide` asks the model for a `ChatStep` by constrained output (so a model with no native tool calling,
like the embedded one, can still pick tools); `run_tool` runs it (`tools.py`) and records the call and a
short result in the transcript; `answer` streams the reply and keeps only paper ids that exist. The state
(transcript, the papers met in order, the claims checked) is checkpointed per thread, so a thread resumes
with all of it.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.graphs.chat.nodes import answer, decide, route, run_tool
from agent.graphs.chat.state import ChatState
from agent.graphs.context import RunContext


def build_chat_graph(checkpointer=None):
    graph = StateGraph(ChatState, context_schema=RunContext)
    graph.add_node("decide", decide)
    graph.add_node("run_tool", run_tool)
    graph.add_node("answer", answer)

    graph.add_edge(START, "decide")
    graph.add_conditional_edges("decide", route, ["run_tool", "answer"])
    graph.add_edge("run_tool", "decide")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer, name="chat")


# For LangGraph Studio / Server (langgraph.json): the server supplies its own checkpointer.
graph = build_chat_graph()
