"""The local backend end to end: the real worker fine-tunes the converted multilingual-e5-small on a few examples.

Also its failure paths: a worker that exits non-zero, one that runs past its hard timeout, a cancel, and a GPU
request on a machine without one.
"""

import json
import os
import time

import pytest

from agent.errors import InputError
from tests.support.experiments import tiny_spec
from tools.experiments.local_backend import process_alive
from tools.experiments.manager import ExperimentManager
from tools.experiments.supervise import acquire_slot
from tools.experiments.worker import METRICS_PREFIX


@pytest.fixture()
def manager(tmp_path, model_cache):
    return ExperimentManager(tmp_path / "experiments", model_cache)


def _gone(pid: int) -> bool:
    return not process_alive(pid)


def test_tiny_run_succeeds_and_writes_metrics(manager):
    spec = tiny_spec()
    record, new = manager.submit(spec)
    assert new and record.job_id == spec.job_id
    record = manager.wait(record.job_id, first_poll=0.5, max_poll=1, timeout=240)
    assert record.status == "SUCCEEDED", manager.logs(record.job_id)
    metrics = manager.metrics(record.job_id)
    assert set(metrics["per_language"]) == {"en", "de"}
    assert all(0.0 <= acc <= 1.0 for acc in metrics["per_language"].values())
    assert metrics["examples"] == {"train": 16, "eval": {"en": 16, "de": 16}}
    assert metrics["job_id"] == record.job_id and metrics["versions"]["torch"]
    assert metrics["wall_seconds"] > 0 and metrics["device"] == "cpu"
    last_line = manager.logs(record.job_id).split("--- stderr.log")[0].strip().splitlines()[-1]
    assert last_line.startswith(METRICS_PREFIX) and json.loads(last_line[len(METRICS_PREFIX):]) == metrics
    again, new = manager.submit(spec.model_copy(update={"name": "same spec, other name"}))
    assert not new and again.job_id == record.job_id and again.status == "SUCCEEDED"


@pytest.mark.faults
def test_worker_that_fails_is_failed_with_its_stderr_tail(manager, tmp_path):
    record, _ = manager.submit(tiny_spec(model=str(tmp_path / "no-such-model")))
    record = manager.wait(record.job_id, first_poll=0.5, max_poll=1, timeout=120)
    supervisor_log = (manager.job_dir(record.job_id) / "supervisor.log").read_text()
    assert record.status == "FAILED", supervisor_log
    assert "exited with status 1" in record.reason and "experiment failed" in record.reason, supervisor_log
    assert manager.metrics(record.job_id) is None


@pytest.mark.faults
def test_worker_past_its_hard_timeout_is_killed(manager):
    record, _ = manager.submit(tiny_spec(resources={"timeout_minutes": 0.05}))  # 3 s: still importing torch
    record = manager.wait(record.job_id, first_poll=0.5, max_poll=1, timeout=60)
    assert record.status == "TIMEOUT" and "hard timeout" in record.reason
    worker_pid = json.loads((manager.job_dir(record.job_id) / "worker.json").read_text())["pid"]
    assert _gone(worker_pid)


@pytest.mark.faults
def test_cancel_kills_the_worker_and_a_resubmit_starts_again(manager):
    spec = tiny_spec(seeds=[7])
    record, _ = manager.submit(spec)
    deadline = time.monotonic() + 30
    while not (manager.job_dir(record.job_id) / "worker.json").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    worker_pid = json.loads((manager.job_dir(record.job_id) / "worker.json").read_text())["pid"]
    record = manager.cancel(record.job_id)
    assert record.status == "CANCELLED"
    assert _gone(worker_pid)
    again, new = manager.submit(spec)
    assert new and again.status == "PENDING", "a cancelled job can be submitted again"
    manager.cancel(again.job_id)


def test_a_process_inside_exec_counts_as_alive(monkeypatch):
    """The kernel window cannot be hit on demand, so /proc is faked here: between the close of the parent's
    exec pipe (Popen returns) and the setup of the new program's arguments, the command line reads empty.
    Two CI runs once failed a job 1 ms after submit as "supervisor gone" because of it."""
    from tools.experiments import local_backend

    files = {"stat": b"4242 (python) R 1 4242", "cmdline": b""}
    monkeypatch.setattr(local_backend, "_proc_file", lambda pid, name: files[name])
    assert process_alive(4242, "/jobs/xnli-1")
    files["cmdline"] = b"python\0-m\0pytest\0"
    assert not process_alive(4242, "/jobs/xnli-1"), "another program at that pid is not ours"
    files.update(stat=b"4242 (python) Z 1 4242", cmdline=b"")
    assert not process_alive(4242, "/jobs/xnli-1")


def test_gpu_request_without_a_gpu_is_refused_up_front(manager):
    with pytest.raises(InputError, match="this machine has none"):
        manager.submit(tiny_spec(resources={"gpus": 1}))


def test_unknown_job_is_a_clear_error(manager):
    with pytest.raises(InputError, match="no experiment job 'xnli-nope'"):
        manager.refresh("xnli-nope")


@pytest.mark.faults
def test_supervisor_killed_with_no_result_is_failed(manager):
    record, _ = manager.submit(tiny_spec(seeds=[9]))
    os.kill(record.backend_ref["pid"], 9)
    deadline = time.monotonic() + 10
    while not _gone(record.backend_ref["pid"]) and time.monotonic() < deadline:
        manager.backend("local")._children[record.backend_ref["pid"]].poll()
        time.sleep(0.1)
    record = manager.refresh(record.job_id)
    assert record.status == "FAILED" and "supervisor process is gone" in record.reason
    worker = manager.job_dir(record.job_id) / "worker.json"
    if worker.exists():  # the orphaned worker is still ours to stop
        os.killpg(json.loads(worker.read_text())["pid"], 9)


def test_jobs_beyond_the_machines_cores_wait_their_turn_and_can_be_cancelled_while_queued(manager, model_cache):
    whole_machine = {"cpus": os.cpu_count() or 1}  # one slot
    held = acquire_slot(model_cache / "local-slots", 1, lambda: False)  # another job holds the machine
    try:
        waiting, _ = manager.submit(tiny_spec(seeds=[12], resources=whole_machine))
        cancelled, _ = manager.submit(tiny_spec(seeds=[13], resources=whole_machine))
        deadline = time.monotonic() + 60
        while not all((manager.job_dir(job.job_id) / "queued.json").exists() for job in (waiting, cancelled)) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        queued = manager.refresh(waiting.job_id)
        assert queued.status == "PENDING" and "queued" in queued.reason
        assert manager.cancel(cancelled.job_id).status == "CANCELLED"
        time.sleep(1)
        assert not (manager.job_dir(waiting.job_id) / "worker.json").exists()
    finally:
        held.close()
    freed_at = time.time()
    waiting = manager.wait(waiting.job_id, first_poll=0.5, max_poll=1, timeout=240)
    assert waiting.status == "SUCCEEDED", manager.logs(waiting.job_id)
    assert json.loads((manager.job_dir(waiting.job_id) / "worker.json").read_text())["started_at"] >= freed_at - 1
    assert not (manager.job_dir(cancelled.job_id) / "worker.json").exists()
