"""The approval question for an experiment: one payload, built in one place, answered in one shape.

The research and chat graphs interrupt with it (`agent/graphs/approval.py`); `agent ask` and `agent chat`
show it with `approval_summary` and answer `{"approve": bool}`.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from agent.experiments.cost import CostEstimate
from tools.experiments.spec import ExperimentSpec


class ApprovalRequest(TypedDict, total=False):
    kind: Literal["approve_experiment"]
    spec: dict  # the ExperimentSpec as JSON (the first run, when several are asked for together)
    estimate: str
    reason: str
    specs: list[dict]  # every run asked for (claim tests)
    claims: list[str]  # "C3: acc(de->X) > acc(en->X) …", the claims those runs test


def claim_tests_request(tests: list, specs: list[ExperimentSpec], minutes: float) -> ApprovalRequest:
    """One question for every claim test of a run: the claims, their predictions, the runs and the cost."""
    runs = {spec.job_id: spec for spec in specs}
    return ApprovalRequest(
        kind="approve_experiment", spec=specs[0].model_dump(mode="json"),
        specs=[spec.model_dump(mode="json") for spec in runs.values()],
        estimate=f"about {minutes:.0f} CPU-minutes for {len(runs)} runs of {len(specs[0].seeds)} seeds"
        if not specs[0].resources.gpus else f"about {minutes:.0f} minutes for {len(runs)} runs",
        claims=[f"{test.claim_id}: {test.prediction}" for test in tests],
        reason="Test these claims by running their experiments (the direction of each, not its numbers).")


def approval_request(spec: ExperimentSpec, estimate: CostEstimate, reason: str) -> ApprovalRequest:
    return ApprovalRequest(kind="approve_experiment", spec=spec.model_dump(mode="json"), estimate=estimate.describe(),
                           reason=" ".join(reason.split()))


def approval_summary(request: ApprovalRequest) -> str:
    """One line for the question: what would run, and its cost."""
    spec = request["spec"]
    if request.get("claims"):
        return (f"test {len(request['claims'])} claim(s) by experiment ({'; '.join(request['claims'])}) · model "
                f"{spec['model']} · {request['estimate']}")
    return f"{spec['name']} · model {spec['model']} · {request['estimate']}"


def is_approved(answer: object) -> bool:
    """The answer to the question: `{"approve": bool}`, or a bare truth value."""
    return bool(answer.get("approve")) if isinstance(answer, dict) else bool(answer)
