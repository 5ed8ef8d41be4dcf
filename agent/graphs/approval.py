"""Ask for approval inside a graph: a LangGraph `interrupt` with the experiment's approval request."""

from __future__ import annotations

from langgraph.types import interrupt

from agent.experiments.approval import ApprovalRequest, is_approved


def ask_for_approval(request: ApprovalRequest) -> bool:
    return is_approved(interrupt(request))
