"""propose_experiment: for a question about cross-lingual transfer, the model proposes one transfer run; the
graph estimates its cost and asks for approval (a LangGraph `interrupt`, or pre-given with `--yes`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.errors import AgentError
from agent.experiments.approval import approval_request
from agent.experiments.cost import estimate_cost
from agent.experiments.planning import experiment_defaults, is_about_transfer, spec_from_proposal
from agent.graphs.approval import ask_for_approval
from agent.graphs.events import ExperimentEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.records import ExperimentProposal
from agent.services import Services
from prompts import render
from tools.llm.base import InvalidModelOutput


@tracked("propose_experiment")
def propose_experiment(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    policy = state.get("experiment_policy", "ask")
    if policy == "no" or not is_about_transfer(state["question"]):
        return {}
    try:
        proposal = services.provider.structured(render("experiment", question=state["question"]),
                                                ExperimentProposal, max_tokens=200)
    except InvalidModelOutput as exc:
        return {"warnings": warn(runtime, f"no experiment was proposed: the model gave no usable proposal ({exc})")}
    if not proposal.run_experiment:
        return {}
    try:
        spec = spec_from_proposal(proposal, experiment_defaults(services.settings.experiment_defaults))
    except AgentError as exc:
        return {"warnings": warn(runtime, f"no experiment was run: {exc}")}
    if spec is None:
        return {}
    estimate = estimate_cost(spec)
    approved = policy == "yes" or estimate.minutes <= services.settings.experiment_minutes_without_asking
    if not approved:
        approved = ask_for_approval(approval_request(spec, estimate, proposal.reason))
    if not approved:
        return {"warnings": warn(runtime, f"the proposed experiment ({spec.name}) was not approved, so none was run")}
    emit(runtime, ExperimentEvent(stage="experiment", status="approved", name=spec.name,
                                  estimate=estimate.describe()))
    return {"experiment_specs": [spec]}
