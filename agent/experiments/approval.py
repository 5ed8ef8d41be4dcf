"""The approval question for an experiment: one payload, built in one place, answered in one shape.

The research and chat graphs interrupt with it (`agent/graphs/approval.py`); `agent ask` and `agent chat`
show it with `approval_summary` and answer `{"approve": bool}`.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from agent.experiments.cost import CostEstimate
from tools.experiments.spec import ExperimentSpec


class ApprovalRequest(TypedDict):
    kind: Literal["approve_experiment"]
    spec: dict  # the ExperimentSpec as JSON
    estimate: str
    reason: str


def approval_request(spec: ExperimentSpec, estimate: CostEstimate, reason: str) -> ApprovalRequest:
    return ApprovalRequest(kind="approve_experiment", spec=spec.model_dump(mode="json"), estimate=estimate.describe(),
                           reason=" ".join(reason.split()))


def approval_summary(request: ApprovalRequest) -> str:
    """One line for the question: what would run, and its cost."""
    spec = request["spec"]
    return f"{spec['name']} · model {spec['model']} · {request['estimate']}"


def is_approved(answer: object) -> bool:
    """The answer to the question: `{"approve": bool}`, or a bare truth value."""
    return bool(answer.get("approve")) if isinstance(answer, dict) else bool(answer)
