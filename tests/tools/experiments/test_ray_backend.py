"""The ray backend against a real Ray head started by the test on 127.0.0.1 (one logical GPU declared).

About 25 s to start the head and 2 GiB of memory; the tiny run goes through Ray Jobs like any other job.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.experiments import tiny_spec
from tools.experiments.manager import ExperimentManager

pytest.importorskip("ray.job_submission", reason="the ray backend needs ray[default]")
RAY = Path(sys.executable).parent / "ray"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    if not RAY.exists():
        pytest.skip("the ray command is not installed")
    temp_dir = Path(f"/tmp/ray-test-{os.getpid()}")  # short: Ray's socket paths must stay under 108 bytes
    port, dashboard_port = _free_port(), _free_port()
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
    started = subprocess.run(
        [str(RAY), "start", "--head", "--num-cpus", "2", "--num-gpus", "1", "--node-ip-address", "127.0.0.1",
         "--port", str(port), "--dashboard-host", "127.0.0.1", "--dashboard-port", str(dashboard_port),
         "--include-dashboard", "true", "--temp-dir", str(temp_dir), "--disable-usage-stats"],
        env=env, capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stderr[-2000:]
    address = f"http://127.0.0.1:{dashboard_port}"
    try:
        from ray.job_submission import JobSubmissionClient

        deadline = time.monotonic() + 60
        while True:  # the job server answers a little after `ray start` returns
            try:
                JobSubmissionClient(address).list_jobs()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        yield address
    finally:
        subprocess.run([str(RAY), "stop", "--force"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture()
def manager(tmp_path, model_cache, ray_head):
    return ExperimentManager(tmp_path / "experiments", model_cache, ray_address=ray_head)


def test_tiny_run_through_ray_jobs_on_a_logical_gpu(manager):
    spec = tiny_spec(backend="ray", resources={"gpus": 1, "memory_gb": 1})
    record, new = manager.submit(spec)
    assert new and record.backend_ref["submission_id"].startswith(record.job_id)
    record = manager.wait(record.job_id, first_poll=1, max_poll=2, timeout=300)
    assert record.status == "SUCCEEDED", manager.logs(record.job_id)[-3000:]
    metrics = manager.metrics(record.job_id)  # collected from the job's log, not a shared file
    assert set(metrics["per_language"]) == {"en", "de"} and metrics["job_id"] == record.job_id
    assert "EXPERIMENT_METRICS" in manager.logs(record.job_id)
    again, new = manager.submit(spec)
    assert not new and again.job_id == record.job_id


@pytest.mark.faults
def test_gpu_request_that_no_node_can_meet_hits_our_pending_timeout(manager):
    spec = tiny_spec(backend="ray", seeds=[3], resources={"gpus": 2, "memory_gb": 1, "pending_timeout_minutes": 0.1})
    record, _ = manager.submit(spec)
    record = manager.wait(record.job_id, first_poll=1, max_poll=2, timeout=120)
    assert record.status == "FAILED" and "still pending after 6 s" in record.reason
    assert "2 GPU(s)" in record.reason


@pytest.mark.faults
def test_failing_worker_on_ray_is_failed_with_its_log_tail(manager, tmp_path):
    record, _ = manager.submit(tiny_spec(backend="ray", model=str(tmp_path / "missing"), resources={"memory_gb": 1}))
    record = manager.wait(record.job_id, first_poll=1, max_poll=2, timeout=180)
    assert record.status == "FAILED" and "experiment failed" in record.reason


def test_unreachable_ray_cluster_is_one_clear_error(tmp_path, model_cache):
    from agent.errors import ConfigError

    manager = ExperimentManager(tmp_path / "experiments", model_cache, ray_address="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="cannot reach the Ray cluster at http://127.0.0.1:9"):
        manager.submit(tiny_spec(backend="ray"))
