"""The chat graph: one turn of a research conversation, tool by tool.

    START ─► decide ─(a tool)─► run_tool ─► decide ─ … ─(answer)─► answer ─► END

`decide` asks the model for a `ChatStep` by constrained output (so a model with no native tool calling,
like the embedded one, can still pick tools); `run_tool` runs it and records the call and a short result
in the transcript; `answer` streams the reply and keeps only paper ids that exist. The state (transcript,
the papers met in order, the claims checked) is checkpointed per thread, so a thread resumes with all of it.
"""

from __future__ import annotations

import re

from langgraph.errors import GraphInterrupt
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent import chat_tools
from agent.chat_context import claims_block, conversation_block, last_user_message, mentions_block, papers_block
from agent.citations import cited_paper_ids, drop_unknown_papers
from agent.nodes.common import Services, emit, tracked
from agent.records import ChatStep
from agent.state import ChatState
from prompts import render
from tools.llm.base import InvalidModelOutput

MAX_TOOL_CALLS_PER_TURN = 4


def _prompt_context(state: ChatState, services: Services) -> dict:
    """The thread as the chat prompts show it: papers, named-term mentions, claims and the transcript."""
    papers, message = state.get("papers", []), last_user_message(state.get("messages", []))
    return {"papers": papers_block(papers, message),
            "mentions": mentions_block(papers, message, services.library.stored_texts),
            "claims": claims_block(state.get("claims", [])), "conversation": conversation_block(state["messages"])}


def _paper_record(paper) -> dict:
    return {"id": paper.id, "title": paper.title, "year": paper.year, "authors": paper.authors[:3],
            "abstract": paper.abstract}


@tracked("chat.decide")
def decide(state: ChatState, services: Services, runtime: Runtime) -> dict:
    if state.get("tool_calls", 0) >= MAX_TOOL_CALLS_PER_TURN:
        return {"pending": {"action": "answer"}}
    tools = "\n".join(f"- {line}" for line in chat_tools.TOOL_DESCRIPTIONS.values()) + "\n- answer: reply to the user"
    try:
        step = services.provider.structured(render("chat_step", tools=tools, **_prompt_context(state, services)),
                                            ChatStep, max_tokens=300)
    except InvalidModelOutput as exc:
        emit(runtime, kind="tool_error", name="decide", message=f"the model picked no valid step ({exc}); answering")
        return {"pending": {"action": "answer"}}
    if chat_tools.unasked_side_effect(step.action, last_user_message(state["messages"])):
        emit(runtime, kind="notice", message=f"skipped {step.action}: your message did not ask for it")
        return {"pending": {"action": "answer"}}
    return {"pending": step.model_dump()}


def route(state: ChatState) -> str:
    return "answer" if state.get("pending", {}).get("action", "answer") == "answer" else "run_tool"


def _approve(payload: dict) -> bool:
    answer = interrupt(payload)
    return bool(answer.get("approve")) if isinstance(answer, dict) else bool(answer)


def resolve_list_number(paper_id: str, papers: list[dict]) -> str:
    """"2" or "[2]" means the thread's second paper (small models answer with the list number)."""
    match = re.fullmatch(r"\[?(\d{1,2})\]?", paper_id.strip())
    if match and 1 <= int(match.group(1)) <= len(papers):
        return papers[int(match.group(1)) - 1]["id"]
    return paper_id


@tracked("chat.tool")
def run_tool(state: ChatState, services: Services, runtime: Runtime) -> dict:
    step = ChatStep.model_validate(state["pending"])
    step.paper_id = resolve_list_number(step.paper_id, state.get("papers", []))
    args = {k: v for k, v in step.model_dump(exclude={"action"}).items() if v not in ("", [], False)}
    if step.action not in ("start_experiment",):
        args.pop("task", None)
    emit(runtime, kind="tool_call", name=step.action, args=args)
    runners = {
        "search_arxiv": chat_tools.search_arxiv, "search_library": chat_tools.search_library,
        "open_paper": chat_tools.open_paper, "extract_claims": chat_tools.extract_claims,
        "verify_claim": chat_tools.verify_claim, "experiment_status": chat_tools.experiment_status,
        "cancel_experiment": chat_tools.cancel_experiment,
        "start_experiment": lambda s, sv: chat_tools.start_experiment(s, sv, _approve),
        "write_report": lambda s, sv: chat_tools.write_report(s, sv, state),
    }
    try:
        result = runners[step.action](step, services)
    except GraphInterrupt:  # the approval question: LangGraph resumes the node with the user's answer
        raise
    except chat_tools.ToolFailed as exc:
        result, failed = chat_tools.ToolResult(f"failed: {exc}"), True
    except Exception as exc:  # a tool's own error (network, model, store): shown, and the conversation goes on
        result, failed = chat_tools.ToolResult(f"failed: {type(exc).__name__}: {exc}"), True
    else:
        failed = False
    emit(runtime, kind="tool_error" if failed else "tool_result", name=step.action, message=result.summary)
    return {
        "messages": [{"role": "tool", "tool": step.action, "args": args, "content": result.summary}],
        "papers": [_paper_record(p) for p in result.papers],
        "claims": [c.model_dump(mode="json") for c in result.claims],
        "tool_calls": state.get("tool_calls", 0) + 1,
    }


class CitationGuard:
    """Streams text word by word, replacing each paper id that is neither in the thread nor in the library
    before it is shown: an invented id never reaches the screen."""

    def __init__(self, known: set[str], services: Services) -> None:
        self.known, self.services, self.buffer, self.dropped = set(known), services, "", []

    def _checked(self, text: str) -> str:
        for pid in cited_paper_ids(text):
            if pid not in self.known and self.services.library.get_paper(pid) is not None:
                self.known.add(pid)
        text, dropped = drop_unknown_papers(text, self.known)
        self.dropped += dropped
        return text

    def feed(self, piece: str) -> str:
        self.buffer += piece
        cut = max(self.buffer.rfind(" "), self.buffer.rfind("\n"))
        if cut < 0:
            return ""
        ready, self.buffer = self.buffer[:cut + 1], self.buffer[cut + 1:]
        return self._checked(ready)

    def flush(self) -> str:
        rest, self.buffer = self.buffer, ""
        return self._checked(rest)


@tracked("chat.answer")
def answer(state: ChatState, services: Services, runtime: Runtime) -> dict:
    messages = render("chat_answer", **_prompt_context(state, services))
    guard = CitationGuard({p["id"] for p in state.get("papers", [])}, services)
    shown = []
    for piece in [*services.provider.stream(messages, max_tokens=500), None]:
        text = guard.flush() if piece is None else guard.feed(piece)
        if text:
            shown.append(text)
            emit(runtime, kind="token", text=text)
    if guard.dropped:
        emit(runtime, kind="notice", message=f"removed paper ids that are not in the library: {', '.join(guard.dropped)}")
    reply = "".join(shown).strip()
    return {"messages": [{"role": "assistant", "content": reply or "(no answer)"}], "pending": {}, "tool_calls": 0}


def build_chat_graph(checkpointer=None):
    graph = StateGraph(ChatState, context_schema=Services)
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
