"""The `local` backend: the worker in a subprocess on this machine, under `tools.experiments.supervise`, one job
per `resources.cpus` cores at a time (the rest queue, PENDING)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tools.errors import InputError
from tools.experiments.jobs import JobRecord, JobState, read_metrics, tail, worker_command
from tools.files import write_json_atomically

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR_MODULE = "tools.experiments.supervise"


def _proc_file(pid: int, name: str) -> bytes:
    return Path(f"/proc/{pid}/{name}").read_bytes()


def process_alive(pid: int, marker: str = "") -> bool:
    """The process runs (not a zombie) and is the one we started (its command line names `marker`).

    An empty command line counts as alive: the kernel shows one for a process still inside exec (the parent's
    Popen has already returned: close-on-exec fds close before the new program's arguments are set up) and
    for one that is exiting; the next poll sees it started, or gone.
    """
    try:
        stat = _proc_file(pid, "stat").decode(errors="replace")
        cmdline = _proc_file(pid, "cmdline").replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return False
    return not cmdline.strip() or marker in cmdline


def _gpu_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


class LocalBackend:
    name = "local"

    def __init__(self, cache_dir: Path, python: str = sys.executable) -> None:
        self.cache_dir, self.python = cache_dir, python
        self._children: dict[int, subprocess.Popen] = {}  # reaped when polled, so they never linger as zombies

    def submit(self, record: JobRecord, job_dir: Path) -> dict:
        if record.spec.resources.gpus > 0 and not _gpu_available():
            raise InputError(f"the spec asks for {record.spec.resources.gpus} GPU(s) and this machine has none: "
                             "use --gpus 0, or --backend ray / slurm on a cluster with GPUs")
        timeout = record.spec.resources.timeout_minutes * 60
        slots = max(1, (os.cpu_count() or 1) // record.spec.resources.cpus)
        command = [self.python, "-m", SUPERVISOR_MODULE, "--job-dir", str(job_dir), "--timeout", str(timeout),
                   "--slots-dir", str(self.cache_dir / "local-slots"), "--slots", str(slots), "--",
                   *worker_command(self.python, job_dir, self.cache_dir)]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        with open(job_dir / "supervisor.log", "ab") as log:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=log, start_new_session=True)
        self._children[process.pid] = process
        return {"pid": process.pid}

    def _supervisor_alive(self, record: JobRecord, job_dir: Path) -> bool:
        pid = record.backend_ref.get("pid")
        if pid in self._children:
            self._children[pid].poll()
        return bool(pid) and process_alive(pid, str(job_dir))

    def status(self, record: JobRecord, job_dir: Path) -> JobState:
        exit_path = job_dir / "exit.json"
        if not exit_path.exists() and self._supervisor_alive(record, job_dir):
            if (job_dir / "queued.json").exists():
                return JobState(status="PENDING", queued=True,
                                reason="queued: waiting for this machine's other experiment jobs to finish")
            return JobState(status="RUNNING")
        if exit_path.exists():  # checked again after the liveness check: it may have finished in between
            ended = json.loads(exit_path.read_text(encoding="utf-8"))
            return JobState(status=ended["status"], reason=ended.get("reason"))
        log = job_dir / "supervisor.log"
        said = tail(log.read_text(encoding="utf-8", errors="replace")) if log.exists() else ""
        return JobState(status="FAILED", reason="the job's supervisor process is gone and left no result "
                                                "(killed, or the machine restarted)" + (f":\n{said}" if said else ""))

    def logs(self, record: JobRecord, job_dir: Path) -> str:
        parts = []
        for name in ("worker.log", "stderr.log"):
            path = job_dir / name
            if path.exists() and path.stat().st_size:
                parts.append(f"--- {name}\n" + path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)

    def cancel(self, record: JobRecord, job_dir: Path) -> None:
        if self._supervisor_alive(record, job_dir):
            os.kill(record.backend_ref["pid"], signal.SIGTERM)  # the supervisor kills the worker's group
            deadline = time.monotonic() + 15
            while not (job_dir / "exit.json").exists() and time.monotonic() < deadline:
                time.sleep(0.2)
        worker = job_dir / "worker.json"
        if worker.exists():  # supervisor gone (or too slow): kill the worker's group ourselves
            pid = json.loads(worker.read_text(encoding="utf-8"))["pid"]
            if process_alive(pid, str(job_dir)):  # this job's worker, not a process that reused its pid
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if not (job_dir / "exit.json").exists():
            write_json_atomically(job_dir / "exit.json", {"status": "CANCELLED", "exit_code": None,
                                                          "reason": "cancelled", "finished_at": time.time()})

    def collect(self, record: JobRecord, job_dir: Path) -> dict | None:
        log = job_dir / "worker.log"
        return read_metrics(job_dir, log.read_text(encoding="utf-8", errors="replace") if log.exists() else "")
