"""submit_experiment: submit each approved spec through its backend. The job id goes into the state by this
node of its own, so a run resumed from its checkpoint waits for the same job; and the same spec always maps to
the same job id, so even a resubmission finds the running job instead of starting another."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.errors import AgentError
from agent.graphs.events import ExperimentEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.services import Services


@tracked("submit_experiment")
def submit_experiment(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    job_ids, warnings = [], []
    for spec in state.get("experiment_specs", []):
        try:
            record, new = services.experiments.submit(spec)
        except AgentError as exc:
            warnings += warn(runtime, f"the experiment {spec.name} could not be submitted: {exc}")
            continue
        emit(runtime, ExperimentEvent(stage="experiment", status="submitted" if new else "resumed",
                                      job_id=record.job_id))
        job_ids.append(record.job_id)
    return {"experiment_jobs": job_ids, "warnings": warnings}
