"""await_experiment: wait for each submitted job (with back-off), collect its results for the report, and
measure what the runs of each claim test say about its claim (`agent/experiments/contrast.py`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.experiments.contrast import measure
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
    evidence = []
    for test in state.get("claim_tests", []):
        jobs = [spec.job_id for spec in test.runs]
        evidence.append(measure(test, jobs, [manager.metrics(job) for job in jobs]))
    return {"experiments": reports, "claim_evidence": evidence, "warnings": warnings}
