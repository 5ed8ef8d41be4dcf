"""The `slurm` backend: the worker as a SLURM job through `submitit` (its local executor where there is no SLURM).

submitit pickles a function and runs it on a node; that function runs the same worker as every backend, whose
final metrics line lands in the job's stdout. A job is found again from another process by its folder and id.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

from tools.errors import ConfigError
from tools.experiments.jobs import JobRecord, JobState, read_metrics, tail
from tools.experiments.local_backend import process_alive

LOCAL_CONTROLLER = (
    "submitit.local._local"  # in the command line of submitit's local job process (its job id is the pid)
)
_SLURM_STATES = {"PENDING": "PENDING", "REQUEUED": "PENDING", "CONFIGURING": "PENDING", "RUNNING": "RUNNING",
                 "COMPLETING": "RUNNING", "COMPLETED": "SUCCEEDED", "FAILED": "FAILED", "NODE_FAIL": "FAILED",
                 "OUT_OF_MEMORY": "FAILED", "CANCELLED": "CANCELLED", "TIMEOUT": "TIMEOUT", "PREEMPTED": "FAILED"}


def run_worker_job(spec_path: str, out_dir: str, cache_dir: str) -> dict:
    """What runs on the node: the worker, in-process; a failure raises so submitit records it."""
    from tools.experiments.jobs import read_metrics
    from tools.experiments.worker import main

    status = main(["--spec", spec_path, "--out", out_dir, "--cache-dir", cache_dir])
    if status != 0:
        raise RuntimeError(f"the experiment worker exited with status {status}")
    return read_metrics(Path(out_dir)) or {}


class SlurmBackend:
    name = "slurm"

    def __init__(self, cache_dir: Path, cluster: str | None = None, partition: str | None = None) -> None:
        self.cache_dir, self.partition = cache_dir, partition
        self.cluster = cluster or ("slurm" if shutil.which("sbatch") else "local")
        self._jobs: dict[str, object] = {}  # jobs this process submitted keep their process handle

    def _submitit(self):
        try:
            import submitit
        except ImportError:
            raise ConfigError("the slurm backend needs submitit: pip install submitit") from None
        return submitit

    def submit(self, record: JobRecord, job_dir: Path) -> dict:
        submitit = self._submitit()
        folder = job_dir / "submitit"
        executor = submitit.AutoExecutor(
            folder=folder, cluster=self.cluster, **{f"{self.cluster}_python": sys.executable}
        )
        resources = record.spec.resources
        parameters = {"timeout_min": max(1, round(resources.timeout_minutes)), "gpus_per_node": resources.gpus,
                      "cpus_per_task": resources.cpus, "mem_gb": resources.memory_gb, "name": record.job_id}
        if self.cluster == "slurm" and self.partition:
            parameters["slurm_partition"] = self.partition
        executor.update_parameters(**parameters)
        job = executor.submit(run_worker_job, str(job_dir / "spec.json"), str(job_dir), str(self.cache_dir))
        self._jobs[str(job.job_id)] = job
        return {"cluster": self.cluster, "folder": str(folder), "job_id": str(job.job_id)}

    def _job(self, record: JobRecord):
        ref = record.backend_ref
        if ref["job_id"] in self._jobs:
            return self._jobs[ref["job_id"]]
        submitit = self._submitit()
        if ref["cluster"] == "local":
            from submitit.local.local import LocalJob

            return LocalJob(ref["folder"], ref["job_id"])
        return submitit.SlurmJob(ref["folder"], ref["job_id"])

    def status(self, record: JobRecord, job_dir: Path) -> JobState:
        job = self._job(record)
        if record.backend_ref["cluster"] == "local":
            if not job.paths.result_pickle.exists():
                running = job.state == "RUNNING" or process_alive(int(record.backend_ref["job_id"]), LOCAL_CONTROLLER)
                if running:
                    return JobState(status="RUNNING")
                if not job.paths.result_pickle.exists():
                    return JobState(status="FAILED", reason="the job's process is gone and left no result")
            state = "COMPLETED"
        else:
            state = job.state
        status = _SLURM_STATES.get(str(state).split()[0], "RUNNING")
        if status == "SUCCEEDED":
            try:
                job.result()
            except Exception as exc:  # the function raised on the node: FAILED, with the worker's stderr
                stderr = job.stderr() or ""
                return JobState(
                    status="FAILED", reason=f"{str(exc).splitlines()[0] if str(exc) else exc}\n{tail(stderr)}"
                )
        return JobState(status=status)

    def logs(self, record: JobRecord, job_dir: Path) -> str:
        job = self._job(record)
        parts = [f"--- {name}\n{text}" for name, text in (("stdout", job.stdout()), ("stderr", job.stderr())) if text]
        return "\n".join(parts)

    def cancel(self, record: JobRecord, job_dir: Path) -> None:
        job = self._job(record)
        if record.backend_ref["cluster"] == "local" and getattr(job, "_process", None) is None:
            pid = int(record.backend_ref["job_id"])
            if process_alive(pid, LOCAL_CONTROLLER):  # never signal a stranger that reused the pid
                os.kill(pid, signal.SIGINT)
            return
        job.cancel(check=False)

    def collect(self, record: JobRecord, job_dir: Path) -> dict | None:
        return read_metrics(job_dir, self._job(record).stdout() or "")
