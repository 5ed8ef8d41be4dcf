"""The chat graph's state: the transcript, the papers met in order, the claims checked; checkpointed per thread."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict


class ChatMessage(TypedDict, total=False):
    role: Literal["user", "assistant", "tool"]
    content: str
    tool: str  # tool messages: which tool ran
    args: dict  # tool messages: its arguments


class PaperRef(TypedDict, total=False):
    id: str
    title: str
    year: int | None
    authors: list[str]
    abstract: str


def add_papers_in_order(known: list[PaperRef], new: list[PaperRef]) -> list[PaperRef]:
    """Papers in the order the conversation met them, each once: "the second paper" stays the second."""
    seen = {p["id"] for p in known}
    return known + [p for p in new if p["id"] not in seen and not seen.add(p["id"])]


class ChatState(TypedDict, total=False):
    messages: Annotated[list[ChatMessage], operator.add]
    papers: Annotated[list[PaperRef], add_papers_in_order]
    claims: Annotated[list[dict], operator.add]  # VerifiedClaim dumps (JSON, so a thread resumes anywhere)
    pending: dict  # the ChatStep being run
    tool_calls: int  # tool calls in the current turn
