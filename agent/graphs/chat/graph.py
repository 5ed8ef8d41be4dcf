"""The chat graph: one turn of a research conversation, tool by tool.

    START ─► plan ─(a tool)─► run_tool ─► plan ─(answer)─► answer ─► END

`plan` reads what the message asks for (`intent.py`, by the program: a literature question is searched
first; an experiment starts only when asked for) and makes the turn's one tool call, a `ChatStep`;
`run_tool` runs it (`tools.py`) and records the call and a short result in the transcript; `answer` writes
the reply: a literature answer from the passages found, each sentence checked against the papers before it
is shown (`grounding.py`), or the record a tool returned (`replies.py`). The state (transcript, the papers
met in order, the claims checked) is checkpointed per thread, so a thread resumes with all of it.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.graphs.chat.nodes import answer, plan, route, run_tool
from agent.graphs.chat.state import ChatState
from agent.graphs.context import RunContext


def build_chat_graph(checkpointer=None):
    graph = StateGraph(ChatState, context_schema=RunContext)
    graph.add_node("plan", plan)
    graph.add_node("run_tool", run_tool)
    graph.add_node("answer", answer)

    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", route, ["run_tool", "answer"])
    graph.add_edge("run_tool", "plan")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer, name="chat")


# For LangGraph Studio / Server (langgraph.json): the server supplies its own checkpointer.
graph = build_chat_graph()
