"""experiment: propose a transfer run for the question, ask for approval, submit it, wait for it, collect it.

    propose_experiment ─(approved)─► submit_experiment ─► await_experiment ─► synthesize
                       └──────────────(none, or declined)──────────────────► synthesize

Approval is a LangGraph `interrupt` (answered by the CLI, or pre-given with `--yes`). The job id is written
to the state by its own node, so a run resumed from its checkpoint waits for the same job; and a spec always
maps to the same job id, so even a resubmission finds the running job instead of starting another.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.errors import AgentError, ConfigError
from agent.experiments import estimate_cost, experiment_report, manager_for
from agent.nodes.common import Services, emit, tracked, warn
from agent.records import ExperimentProposal
from agent.state import ResearchState
from prompts import render
from tools.experiments.spec import TASK_LANGUAGES, ExperimentSpec, parse_spec
from tools.llm.base import InvalidModelOutput

_ABOUT_TRANSFER = re.compile(r"cross-?lingual|multilingual|zero-?shot|\bxnli\b|paws-?x|xtreme|transfer", re.I)


def spec_from_proposal(proposal: ExperimentProposal, defaults: dict | None = None) -> ExperimentSpec | None:
    """The spec: the user's defaults, with only the whitelisted fields (task, languages) from the model."""
    languages = [lang for lang in dict.fromkeys(["en", *proposal.eval_languages]) if lang in TASK_LANGUAGES[proposal.task]]
    if len(languages) < 2:
        return None
    return parse_spec({**(defaults or {}), "task": proposal.task, "train_language": "en", "eval_languages": languages,
                       "name": f"{proposal.task} zero-shot from English: {', '.join(languages)}"})


def experiment_defaults(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"AGENT_EXPERIMENT_DEFAULTS: {path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"AGENT_EXPERIMENT_DEFAULTS: {path} is missing or not a mapping of spec fields")
    return data


@tracked("experiment")
def propose_experiment(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    policy = state.get("experiment_policy", "ask")
    if policy == "no" or not _ABOUT_TRANSFER.search(state["question"]):
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
        answer = interrupt({"kind": "approve_experiment", "spec": spec.model_dump(mode="json"),
                            "estimate": estimate.describe(), "reason": " ".join(proposal.reason.split())})
        approved = bool(answer.get("approve")) if isinstance(answer, dict) else bool(answer)
    if not approved:
        return {"warnings": warn(runtime, f"the proposed experiment ({spec.name}) was not approved, so none was run")}
    emit(runtime, stage="experiment", status="approved", name=spec.name, estimate=estimate.describe())
    return {"experiment_specs": [spec]}


def route_experiment(state: ResearchState) -> str:
    return "submit_experiment" if state.get("experiment_specs") else "synthesize"


@tracked("experiment")
def submit_experiment(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    manager = manager_for(services.settings)
    job_ids, warnings = [], []
    for spec in state.get("experiment_specs", []):
        try:
            record, new = manager.submit(spec)
        except AgentError as exc:
            warnings += warn(runtime, f"the experiment {spec.name} could not be submitted: {exc}")
            continue
        emit(runtime, stage="experiment", status="submitted" if new else "resumed", job_id=record.job_id)
        job_ids.append(record.job_id)
    return {"experiment_jobs": job_ids, "warnings": warnings}


@tracked("experiment")
def await_experiment(state: ResearchState, services: Services, runtime: Runtime) -> dict:
    manager = manager_for(services.settings)
    reports, warnings = [], []
    for job_id in state.get("experiment_jobs", []):
        record = manager.wait(job_id, on_update=lambda r: emit(runtime, stage="experiment", status=r.status,
                                                               job_id=r.job_id))
        if record.status != "SUCCEEDED":
            warnings += warn(runtime, f"experiment {job_id} ended {record.status}: "
                                      f"{(record.reason or '').splitlines()[0] if record.reason else ''}")
        reports.append(experiment_report(record, manager.metrics(job_id)))
    return {"experiments": reports, "warnings": warnings}
