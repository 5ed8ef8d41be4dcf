"""await_experiment: wait for each submitted job (with back-off) and collect its results for the report."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.experiments.results import experiment_report
from agent.graphs.events import ExperimentEvent
from agent.graphs.research.state import ResearchState
from agent.graphs.tracking import emit, tracked, warn
from agent.services import Services


@tracked("await_experiment")
def await_experiment(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    manager = services.experiments
    reports, warnings = [], []
    for job_id in state.get("experiment_jobs", []):
        record = manager.wait(job_id, on_update=lambda r: emit(runtime, ExperimentEvent(
            stage="experiment", status=r.status, job_id=r.job_id)))
        if record.status != "SUCCEEDED":
            warnings += warn(runtime, f"experiment {job_id} ended {record.status}: "
                                      f"{(record.reason or '').splitlines()[0] if record.reason else ''}")
        reports.append(experiment_report(record, manager.metrics(job_id)))
    return {"experiments": reports, "warnings": warnings}
