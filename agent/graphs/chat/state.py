"""The chat graph's state: the transcript, the papers met in order, the claims checked; checkpointed per thread."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict


class ChatMessage(TypedDict, total=False):
    role: Literal["user", "assistant", "tool"]
    content: str
    tool: str  # tool messages: which tool ran
    args: dict  # tool messages: its arguments
    draft: str  # literature answers: the model's text before the grounding check


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


def merge_claims(known: list[dict], new: list[dict]) -> list[dict]:
    """Claims by their thread id (C1, C2, …): a claim checked again replaces its earlier entry in place.
    (Threads from before the ids were given may hold several entries under one id; they are all kept.)"""
    merged = list(known)
    for claim in new:
        at = next((i for i in range(len(merged) - 1, -1, -1) if merged[i].get("id") == claim["id"]), None)
        if at is None:
            merged.append(claim)
        else:
            merged[at] = claim
    return merged


class ChatState(TypedDict, total=False):
    messages: Annotated[list[ChatMessage], operator.add]
    papers: Annotated[list[PaperRef], add_papers_in_order]
    claims: Annotated[list[dict], merge_claims]  # VerifiedClaim dumps (JSON, so a thread resumes anywhere)
    extracted: Annotated[list[dict], merge_claims]  # Claim dumps: stated by a paper, not checked yet
    intent: dict  # the current turn's Intent (`intent.py`)
    pending: dict  # the ChatStep being run
    tool_calls: int  # tool calls in the current turn
    turn_papers: list[str]  # ids of the papers the current turn's tools brought (its evidence)
