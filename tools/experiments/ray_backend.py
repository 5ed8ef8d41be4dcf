"""The `ray` backend: the worker as a Ray Job (`ray.job_submission.JobSubmissionClient`).

GPUs are requested with `entrypoint_num_gpus`, so the job waits for a node that has them. Ray waits for such
a node indefinitely; the manager's pending timeout stops it. Results come back through the job's log (the
worker's final metrics line), so the cluster needs no filesystem shared with this machine.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from tools.errors import ConfigError
from tools.experiments.jobs import JobRecord, JobState, metrics_from_log, tail
from tools.experiments.local_backend import PROJECT_ROOT

_STATUS = {"PENDING": "PENDING", "RUNNING": "RUNNING", "SUCCEEDED": "SUCCEEDED", "FAILED": "FAILED",
           "STOPPED": "CANCELLED"}
WORKER_SPEC_ENV = "AGENT_EXPERIMENT_SPEC_JSON"


class RayBackend:
    name = "ray"

    def __init__(self, address: str | None, cache_dir: Path, python: str = sys.executable) -> None:
        self.address = address or "http://127.0.0.1:8265"
        self.cache_dir, self.python = cache_dir, python
        self._client = None

    @property
    def client(self):
        if self._client is None:
            try:
                from ray.job_submission import JobSubmissionClient
            except ImportError:
                raise ConfigError("the ray backend needs Ray's job client: pip install 'ray[default]'") from None
            try:
                self._client = JobSubmissionClient(self.address)
            except Exception as exc:  # ConnectionError, or Ray's own errors for a wrong address
                raise ConfigError(f"cannot reach the Ray cluster at {self.address} (AGENT_RAY_ADDRESS): "
                                  f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        return self._client

    def submit(self, record: JobRecord, job_dir: Path) -> dict:
        spec = record.spec
        submission_id = f"{record.job_id}-{int(time.time())}"
        # the spec travels in the entrypoint's environment: the cluster may not see this machine's files
        entrypoint = " ".join(shlex.quote(part) for part in [
            self.python, "-c", "import os, pathlib, sys, tempfile; d = pathlib.Path(tempfile.mkdtemp()); "
            f"(d / 'spec.json').write_text(os.environ['{WORKER_SPEC_ENV}']); "
            "from tools.experiments.worker import main; "
            f"sys.exit(main(['--spec', str(d / 'spec.json'), '--out', str(d), '--cache-dir', sys.argv[1]]))",
            str(self.cache_dir)])
        self.client.submit_job(
            entrypoint=entrypoint, submission_id=submission_id,
            runtime_env={"env_vars": {WORKER_SPEC_ENV: spec.model_dump_json(), "PYTHONPATH": str(PROJECT_ROOT)}},
            entrypoint_num_cpus=spec.resources.cpus, entrypoint_num_gpus=spec.resources.gpus,
            entrypoint_memory=spec.resources.memory_gb * 1024**3,
            metadata={"job_id": record.job_id, "name": spec.name[:100]},
        )
        return {"submission_id": submission_id, "address": self.address}

    def status(self, record: JobRecord, job_dir: Path) -> JobState:
        submission_id = record.backend_ref["submission_id"]
        info = self.client.get_job_info(submission_id)
        status = _STATUS.get(str(info.status.value if hasattr(info.status, "value") else info.status), "RUNNING")
        if status == "RUNNING" and record.started_at:
            limit = record.spec.resources.timeout_minutes * 60
            if time.time() - record.started_at > limit:
                self.client.stop_job(submission_id)
                return JobState(status="TIMEOUT", reason=f"stopped after the hard timeout of {limit:.0f} s")
        if status == "FAILED":
            return JobState(status="FAILED", reason=f"{info.message or 'the job failed'}\n"
                                                    f"{tail(self.client.get_job_logs(submission_id))}".strip())
        return JobState(status=status, reason=info.message if status == "CANCELLED" else None)

    def logs(self, record: JobRecord, job_dir: Path) -> str:
        return self.client.get_job_logs(record.backend_ref["submission_id"])

    def cancel(self, record: JobRecord, job_dir: Path) -> None:
        self.client.stop_job(record.backend_ref["submission_id"])

    def collect(self, record: JobRecord, job_dir: Path) -> dict | None:
        return metrics_from_log(self.logs(record, job_dir))
