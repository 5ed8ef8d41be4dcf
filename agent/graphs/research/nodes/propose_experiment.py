"""propose_experiment: the runs this question and its claims call for, each asked for approval (a LangGraph
`interrupt`, or pre-given with `--yes`).

Two kinds: for a question about cross-lingual transfer, the model proposes one transfer run; and each
verified claim whose comparison the worker can run (`agent/experiments/claim_tests.py`: the program screens
it, the model reads its prediction, the program decides) gets a test of at least three seeds a condition.
The claims' tests are asked for together, with their predictions and their cost; runs they share are one
job. Claims judged untestable are kept with the reason, for the report."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.errors import AgentError
from agent.experiments.approval import approval_request, claim_tests_request
from agent.experiments.claim_tests import plan_claim_tests
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


def _question_run(state: ResearchState, services: Services, runtime: Runtime, defaults: dict) -> tuple[list, list]:
    """([the approved spec] or [], warnings) for the question-level run."""
    policy = state.get("experiment_policy", "ask")
    try:
        proposal = services.provider.structured(render("experiment", question=state["question"]),
                                                ExperimentProposal, max_tokens=200)
    except InvalidModelOutput as exc:
        return [], warn(runtime, f"no experiment was proposed: the model gave no usable proposal ({exc})")
    if not proposal.run_experiment:
        return [], []
    try:
        spec = spec_from_proposal(proposal, defaults)
    except AgentError as exc:
        return [], warn(runtime, f"no experiment was run: {exc}")
    if spec is None:
        return [], []
    estimate = estimate_cost(spec)
    approved = policy == "yes" or estimate.minutes <= services.settings.experiment_minutes_without_asking
    if not approved:
        approved = ask_for_approval(approval_request(spec, estimate, proposal.reason))
    if not approved:
        return [], warn(runtime, f"the proposed experiment ({spec.name}) was not approved, so none was run")
    emit(runtime, ExperimentEvent(stage="experiment", status="approved", name=spec.name,
                                  estimate=estimate.describe()))
    return [spec], []


@tracked("propose_experiment")
def propose_experiment(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    policy = state.get("experiment_policy", "ask")
    if policy == "no":
        return {}
    try:
        defaults = experiment_defaults(services.settings.experiment_defaults)
    except AgentError as exc:
        return {"warnings": warn(runtime, f"no experiment was run: {exc}")}
    specs, warnings = ([], []) if not is_about_transfer(state["question"]) else \
        _question_run(state, services, runtime, defaults)
    tests, untestable = plan_claim_tests(state.get("verified", []), services.provider, defaults)
    update: dict = {"claims_untestable": untestable}
    if tests:
        runs = list({spec.job_id: spec for test in tests for spec in test.runs}.values())
        minutes = sum(estimate_cost(spec).minutes for spec in runs)
        approved = policy == "yes" or ask_for_approval(claim_tests_request(tests, runs, minutes))
        if approved:
            specs += runs
            update["claim_tests"] = tests
            emit(runtime, ExperimentEvent(stage="experiment", status="approved",
                                          name=f"tests of {', '.join(t.claim_id for t in tests)}",
                                          estimate=f"about {minutes:.0f} minutes"))
        else:
            warnings += warn(runtime, f"the tests of {', '.join(t.claim_id for t in tests)} were not approved, "
                                      "so none was run")
    if specs:
        update["experiment_specs"] = list({spec.job_id: spec for spec in specs}.values())
    if warnings:
        update["warnings"] = warnings
    return update
