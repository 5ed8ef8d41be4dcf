"""The chat graph's nodes: decide the next move, run a tool, answer."""

from __future__ import annotations

import re

from langgraph.errors import GraphInterrupt
from langgraph.runtime import Runtime

from agent.graphs.approval import ask_for_approval
from agent.graphs.chat.guard import CitationGuard
from agent.graphs.chat.prompt_context import (
    claims_block,
    conversation_block,
    last_user_message,
    mentions_block,
    papers_block,
)
from agent.graphs.chat.state import ChatState, PaperRef
from agent.graphs.chat.tools import (
    TOOLS_BY_NAME,
    ChatStep,
    ToolContext,
    ToolFailed,
    ToolResult,
    tool_menu,
    unasked_side_effect,
)
from agent.graphs.context import run_context
from agent.graphs.events import NoticeEvent, TokenEvent, ToolCallEvent, ToolResultEvent
from agent.graphs.tracking import emit, tracked
from agent.services import Services
from prompts import render
from tools.llm.base import InvalidModelOutput
from tools.papers import Paper

MAX_TOOL_CALLS_PER_TURN = 4


def _prompt_context(state: ChatState, services: Services) -> dict:
    """The thread as the chat prompts show it: papers, named-term mentions, claims and the transcript."""
    papers, message = state.get("papers", []), last_user_message(state.get("messages", []))
    return {"papers": papers_block(papers, message),
            "mentions": mentions_block(papers, message, services.library.stored_texts),
            "claims": claims_block(state.get("claims", [])), "conversation": conversation_block(state["messages"])}


def _paper_ref(paper: Paper) -> PaperRef:
    return PaperRef(id=paper.id, title=paper.title, year=paper.year, authors=paper.authors[:3],
                    abstract=paper.abstract)


def resolve_list_number(paper_id: str, papers: list[PaperRef]) -> str:
    """"2" or "[2]" means the thread's second paper (small models answer with the list number)."""
    match = re.fullmatch(r"\[?(\d{1,2})\]?", paper_id.strip())
    if match and 1 <= int(match.group(1)) <= len(papers):
        return papers[int(match.group(1)) - 1]["id"]
    return paper_id


@tracked("chat.decide")
def decide(state: ChatState, services: Services, runtime: Runtime) -> dict:
    if state.get("tool_calls", 0) >= MAX_TOOL_CALLS_PER_TURN:
        return {"pending": {"action": "answer"}}
    try:
        step = services.provider.structured(render("chat_step", tools=tool_menu(),
                                                   **_prompt_context(state, services)), ChatStep, max_tokens=300)
    except InvalidModelOutput as exc:
        emit(runtime, ToolResultEvent(stage="tool_error", name="decide",
                                      message=f"the model picked no valid step ({exc}); answering"))
        return {"pending": {"action": "answer"}}
    if unasked_side_effect(step.action, last_user_message(state["messages"])):
        emit(runtime, NoticeEvent(stage="notice", message=f"skipped {step.action}: your message did not ask for it"))
        return {"pending": {"action": "answer"}}
    return {"pending": step.model_dump()}


def route(state: ChatState) -> str:
    return "answer" if state.get("pending", {}).get("action", "answer") == "answer" else "run_tool"


@tracked("chat.run_tool")
def run_tool(state: ChatState, services: Services, runtime: Runtime) -> dict:
    step = ChatStep.model_validate(state["pending"])
    step.paper_id = resolve_list_number(step.paper_id, state.get("papers", []))
    args = step.arguments()
    emit(runtime, ToolCallEvent(stage="tool_call", name=step.action, args=args))
    context = ToolContext(run=run_context(runtime), thread=state, approve=ask_for_approval)
    try:
        result = TOOLS_BY_NAME[step.action].run(step, context)
    except GraphInterrupt:  # the approval question: LangGraph resumes the node with the user's answer
        raise
    except ToolFailed as exc:
        result, failed = ToolResult(f"failed: {exc}"), True
    except Exception as exc:  # a tool's own error (network, model, store): shown, and the conversation goes on
        result, failed = ToolResult(f"failed: {type(exc).__name__}: {exc}"), True
    else:
        failed = False
    emit(runtime, ToolResultEvent(stage="tool_error" if failed else "tool_result", name=step.action,
                                  message=result.summary))
    return {
        "messages": [{"role": "tool", "tool": step.action, "args": args, "content": result.summary}],
        "papers": [_paper_ref(p) for p in result.papers],
        "claims": [c.model_dump(mode="json") for c in result.claims],
        "tool_calls": state.get("tool_calls", 0) + 1,
    }


@tracked("chat.answer")
def answer(state: ChatState, services: Services, runtime: Runtime) -> dict:
    messages = render("chat_answer", **_prompt_context(state, services))
    guard = CitationGuard({p["id"] for p in state.get("papers", [])}, services.library)
    shown = []
    for piece in [*services.provider.stream(messages, max_tokens=500), None]:
        text = guard.flush() if piece is None else guard.feed(piece)
        if text:
            shown.append(text)
            emit(runtime, TokenEvent(stage="token", text=text))
    if guard.dropped:
        emit(runtime, NoticeEvent(stage="notice", message="removed paper ids that are not in the library: "
                                                          + ", ".join(guard.dropped)))
    reply = "".join(shown).strip()
    return {"messages": [{"role": "assistant", "content": reply or "(no answer)"}], "pending": {}, "tool_calls": 0}
