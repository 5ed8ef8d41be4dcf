"""The local backend's supervisor: a job beyond the machine's slots waits its turn, and can be cancelled waiting."""

import json
import os
import signal
import subprocess
import sys
import time

from tools.experiments.supervise import acquire_slot

SLEEP = [sys.executable, "-c", "import time; time.sleep(1.5)"]


def _supervisor(job_dir, slots_dir, slots=1):
    job_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "tools.experiments.supervise", "--job-dir", str(job_dir),
                             "--timeout", "60", "--slots-dir", str(slots_dir), "--slots", str(slots), "--", *SLEEP],
                            cwd=os.getcwd())


def _wait_for(path, seconds=20):
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.exists()


def test_a_second_job_starts_only_when_the_first_has_ended(tmp_path):
    slots = tmp_path / "slots"
    first = _supervisor(tmp_path / "a", slots)
    assert _wait_for(tmp_path / "a" / "worker.json")
    second = _supervisor(tmp_path / "b", slots)
    assert _wait_for(tmp_path / "b" / "queued.json")
    assert not (tmp_path / "b" / "worker.json").exists()
    first.wait(30)
    second.wait(30)
    ended = json.loads((tmp_path / "a" / "exit.json").read_text())
    started = json.loads((tmp_path / "b" / "worker.json").read_text())["started_at"]
    assert ended["status"] == "SUCCEEDED" and started >= ended["finished_at"] - 0.5
    assert json.loads((tmp_path / "b" / "exit.json").read_text())["status"] == "SUCCEEDED"
    assert not (tmp_path / "b" / "queued.json").exists()


def test_a_queued_job_cancelled_never_starts(tmp_path):
    slots = tmp_path / "slots"
    held = acquire_slot(slots, 1, lambda: False)  # the one slot is taken
    waiting = _supervisor(tmp_path / "c", slots)
    assert _wait_for(tmp_path / "c" / "queued.json")
    waiting.send_signal(signal.SIGTERM)
    waiting.wait(30)
    held.close()
    ended = json.loads((tmp_path / "c" / "exit.json").read_text())
    assert ended["status"] == "CANCELLED" and "queued" in ended["reason"]
    assert not (tmp_path / "c" / "worker.json").exists()


def test_two_slots_run_two_jobs_at_once(tmp_path):
    slots = tmp_path / "slots"
    jobs = [_supervisor(tmp_path / name, slots, slots=2) for name in ("d", "e")]
    assert _wait_for(tmp_path / "d" / "worker.json") and _wait_for(tmp_path / "e" / "worker.json")
    for job in jobs:
        job.wait(30)
