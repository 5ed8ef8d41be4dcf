"""The slurm backend through submitit's local executor (no SLURM here): the same worker, found again by id."""

import pytest

from tests.support.experiments import tiny_spec
from tools.experiments.manager import ExperimentManager

pytest.importorskip("submitit")


@pytest.fixture()
def manager(tmp_path, model_cache):
    return ExperimentManager(tmp_path / "experiments", model_cache, slurm_cluster="local")


def test_tiny_run_through_submitit(manager, tmp_path, model_cache):
    spec = tiny_spec(backend="slurm")
    record, new = manager.submit(spec)
    assert new and record.backend_ref["cluster"] == "local"
    record = manager.wait(record.job_id, first_poll=0.5, max_poll=1, timeout=300)
    assert record.status == "SUCCEEDED", manager.logs(record.job_id)[-3000:]
    assert set(manager.metrics(record.job_id)["per_language"]) == {"en", "de"}
    assert "EXPERIMENT_METRICS" in manager.logs(record.job_id)
    # another process (a fresh manager) finds the finished job again from its record
    other = ExperimentManager(tmp_path / "experiments", model_cache, slurm_cluster="local")
    assert other.refresh(record.job_id).status == "SUCCEEDED"
    assert "EXPERIMENT_METRICS" in other.logs(record.job_id)


def test_failing_worker_through_submitit_is_failed(manager, tmp_path):
    record, _ = manager.submit(tiny_spec(backend="slurm", model=str(tmp_path / "missing")))
    record = manager.wait(record.job_id, first_poll=0.5, max_poll=1, timeout=180)
    assert record.status == "FAILED" and "exited with status 1" in record.reason
