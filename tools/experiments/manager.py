"""Submit, watch, cancel and collect experiment jobs through one interface, whatever the backend."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

from tools.errors import InputError
from tools.experiments.jobs import ExperimentBackend, JobRecord
from tools.experiments.spec import ExperimentSpec
from tools.files import write_json_atomically

RETRYABLE = frozenset({"FAILED", "TIMEOUT", "CANCELLED"})


class ExperimentManager:
    def __init__(self, root: Path, cache_dir: Path, ray_address: str | None = None,
                 slurm_cluster: str | None = None, slurm_partition: str | None = None) -> None:
        self.root, self.cache_dir = root, cache_dir
        self.ray_address, self.slurm_cluster, self.slurm_partition = ray_address, slurm_cluster, slurm_partition
        self._backends: dict[str, ExperimentBackend] = {}

    # -- backends ------------------------------------------------------------------------------
    def backend(self, name: str) -> ExperimentBackend:
        if name not in self._backends:
            if name == "local":
                from tools.experiments.local_backend import LocalBackend

                self._backends[name] = LocalBackend(self.cache_dir)
            elif name == "ray":
                from tools.experiments.ray_backend import RayBackend

                self._backends[name] = RayBackend(self.ray_address, self.cache_dir)
            elif name == "slurm":
                from tools.experiments.slurm_backend import SlurmBackend

                self._backends[name] = SlurmBackend(self.cache_dir, self.slurm_cluster, self.slurm_partition)
            else:
                raise InputError(f"unknown backend {name!r}: choose local, ray or slurm")
        return self._backends[name]

    # -- the job store -------------------------------------------------------------------------
    def job_dir(self, job_id: str) -> Path:
        return self.root / job_id

    def load(self, job_id: str) -> JobRecord:
        path = self.job_dir(job_id) / "job.json"
        if not path.exists():
            known = ", ".join(r.job_id for r in self.list()[:5]) or "none yet"
            raise InputError(f"no experiment job {job_id!r} (recent: {known})")
        return JobRecord.model_validate_json(path.read_text(encoding="utf-8"))

    def save(self, record: JobRecord) -> None:
        write_json_atomically(self.job_dir(record.job_id) / "job.json", json.loads(record.model_dump_json()))

    def list(self) -> list[JobRecord]:
        records = [JobRecord.model_validate_json(p.read_text(encoding="utf-8"))
                   for p in self.root.glob("*/job.json")] if self.root.exists() else []
        return sorted(records, key=lambda r: r.submitted_at, reverse=True)

    # -- the interface -------------------------------------------------------------------------
    def submit(self, spec: ExperimentSpec) -> tuple[JobRecord, bool]:
        """Start the job for `spec`, or return the one already started for it; the flag says whether it is new."""
        job_dir = self.job_dir(spec.job_id)
        if (job_dir / "job.json").exists():
            existing = self.refresh(spec.job_id)
            if existing.status not in RETRYABLE:
                return existing, False
            for stale in ("exit.json", "metrics.json", "worker.json"):
                (job_dir / stale).unlink(missing_ok=True)
        job_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomically(job_dir / "spec.json", json.loads(spec.model_dump_json()))
        record = JobRecord(job_id=spec.job_id, backend=spec.backend, spec=spec)
        record.backend_ref = self.backend(spec.backend).submit(record, job_dir)
        self.save(record)
        return record, True

    def refresh(self, job_id: str) -> JobRecord:
        record = self.load(job_id)
        if record.finished:
            return record
        job_dir = self.job_dir(job_id)
        state = self.backend(record.backend).status(record, job_dir)
        pending_limit = record.spec.resources.pending_timeout_minutes * 60
        if state.status == "PENDING" and not state.queued and time.time() - record.submitted_at > pending_limit:
            # our own limit: Ray, for one, waits for a GPU that never comes
            self.backend(record.backend).cancel(record, job_dir)
            state.status = "FAILED"
            state.reason = (f"still pending after {pending_limit:.0f} s: no worker could take it (asked for "
                            f"{record.spec.resources.gpus} GPU(s), {record.spec.resources.cpus} CPU(s))")
        if state.status == "RUNNING" and record.started_at is None:
            record.started_at = time.time()
        if state.status == "SUCCEEDED":
            metrics = self.backend(record.backend).collect(record, job_dir)
            if metrics is None:
                state.status, state.reason = "FAILED", "the worker finished but left no metrics"
            elif not (job_dir / "metrics.json").exists():  # collected from the log: keep a copy
                write_json_atomically(job_dir / "metrics.json", metrics)
        record.status, record.reason = state.status, state.reason
        if record.finished:
            record.finished_at = time.time()
        self.save(record)
        return record

    def wait(self, job_id: str, on_update: Callable[[JobRecord], None] | None = None,
             first_poll: float = 1.0, max_poll: float = 30.0, timeout: float | None = None) -> JobRecord:
        """Poll with exponential back-off until the job ends (or `timeout` seconds pass)."""
        delay, started = first_poll, time.monotonic()
        while True:
            record = self.refresh(job_id)
            if on_update:
                on_update(record)
            if record.finished or (timeout is not None and time.monotonic() - started > timeout):
                return record
            time.sleep(delay)
            delay = min(max_poll, delay * 1.5)

    def logs(self, job_id: str) -> str:
        record = self.load(job_id)
        return self.backend(record.backend).logs(record, self.job_dir(job_id))

    def cancel(self, job_id: str) -> JobRecord:
        record = self.refresh(job_id)
        if not record.finished:
            self.backend(record.backend).cancel(record, self.job_dir(job_id))
            record = self.refresh(job_id)
            if not record.finished:  # the backend stopped it but has not said so yet
                record.status, record.reason, record.finished_at = "CANCELLED", "cancelled", time.time()
                self.save(record)
        return record

    def metrics(self, job_id: str) -> dict | None:
        record = self.refresh(job_id)
        path = self.job_dir(job_id) / "metrics.json"
        if record.status == "SUCCEEDED" and path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        return None
