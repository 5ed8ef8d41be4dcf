"""Experiment jobs: what a backend must do, and the on-disk record of every job.

A job lives in `<data dir>/experiments/<job id>/`: `job.json` (this record), `spec.json`, the worker's logs and
`metrics.json`. The job id is the spec's hash, so submitting the same spec twice finds the same job.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from tools.experiments.spec import Backend, ExperimentSpec

JobStatus = Literal["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "TIMEOUT", "CANCELLED"]
TERMINAL: frozenset[str] = frozenset({"SUCCEEDED", "FAILED", "TIMEOUT", "CANCELLED"})
STDERR_TAIL_LINES = 20
# The worker's last log line: this prefix, then its metrics as JSON (how Ray, with no shared filesystem, gets them).
METRICS_PREFIX = "EXPERIMENT_METRICS "


class JobState(BaseModel):
    status: JobStatus
    reason: str | None = None
    queued: bool = Field(False, description="PENDING behind this machine's other jobs, not waiting for a node")


class JobRecord(BaseModel):
    job_id: str
    backend: Backend
    spec: ExperimentSpec
    submitted_at: float = Field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    status: JobStatus = "PENDING"
    reason: str | None = None
    backend_ref: dict = Field(default_factory=dict, description="what the backend needs to find the job again")

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


class ExperimentBackend(Protocol):
    name: str

    def submit(self, record: JobRecord, job_dir: Path) -> dict:
        """Start the worker; return the backend reference to keep in the record."""

    def status(self, record: JobRecord, job_dir: Path) -> JobState: ...

    def logs(self, record: JobRecord, job_dir: Path) -> str: ...

    def cancel(self, record: JobRecord, job_dir: Path) -> None: ...

    def collect(self, record: JobRecord, job_dir: Path) -> dict | None:
        """The worker's metrics, from metrics.json or from the final metrics line of the log."""


def tail(text: str, lines: int = STDERR_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def metrics_from_log(text: str) -> dict | None:
    for line in reversed(text.splitlines()):
        if line.startswith(METRICS_PREFIX):
            try:
                return json.loads(line[len(METRICS_PREFIX):])
            except json.JSONDecodeError:
                return None
    return None


def read_metrics(job_dir: Path, log_text: str = "") -> dict | None:
    path = job_dir / "metrics.json"
    if path.exists():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            pass
    return metrics_from_log(log_text)


def worker_command(python: str, job_dir: Path, cache_dir: Path) -> list[str]:
    return [python, "-m", "tools.experiments.worker", "--spec", str(job_dir / "spec.json"),
            "--out", str(job_dir), "--cache-dir", str(cache_dir)]
