"""Run the worker under a hard timeout and record how it ended: the local backend's process supervisor.

    python -m tools.experiments.supervise --job-dir DIR --timeout SECONDS [--slots-dir D --slots N] -- WORKER...

With `--slots`, the worker starts only once the supervisor holds one of N slot locks in D (`flock`, released
when the supervisor exits, however it exits): jobs beyond the machine's cores wait their turn instead of
sharing the cores, which on a small machine makes every one of them slower than running them in turn. While it
waits, `queued.json` says so; the hard timeout starts with the worker.

The worker runs in its own process group (so a timeout or a cancel kills it and anything it started), with
stdout to `worker.log` and stderr to `stderr.log`. `exit.json` records the end: SUCCEEDED, FAILED (with the
stderr tail), TIMEOUT or CANCELLED (SIGTERM to the supervisor).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from tools.experiments.jobs import tail
from tools.files import write_json_atomically

KILL_GRACE_SECONDS = 5


def _kill_group(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=KILL_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


def acquire_slot(slots_dir: Path, slots: int, stop) -> object | None:
    """An open, flock'ed slot file (kept open while the job runs), or None when `stop()` turned true first."""
    slots_dir.mkdir(parents=True, exist_ok=True)
    while not stop():
        for index in range(slots):
            handle = open(slots_dir / f"slot-{index}.lock", "a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except OSError:
                handle.close()
        time.sleep(0.5)
    return None


def supervise(job_dir: Path, timeout: float, command: list[str], slots_dir: Path | None = None,
              slots: int = 0) -> int:
    cancelled = False

    def on_term(signum, frame):
        nonlocal cancelled
        cancelled = True

    signal.signal(signal.SIGTERM, on_term)
    if slots_dir is not None and slots > 0:
        write_json_atomically(job_dir / "queued.json", {"since": time.time(), "slots": slots})
        slot = acquire_slot(slots_dir, slots, lambda: cancelled)
        (job_dir / "queued.json").unlink(missing_ok=True)
        if slot is None:
            write_json_atomically(job_dir / "exit.json", {"status": "CANCELLED", "exit_code": None,
                                                          "reason": "cancelled while queued",
                                                          "finished_at": time.time()})
            return 0
    with open(job_dir / "worker.log", "ab") as out, open(job_dir / "stderr.log", "ab") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
    write_json_atomically(job_dir / "worker.json", {"pid": process.pid, "started_at": time.time()})
    deadline = time.monotonic() + timeout
    while process.poll() is None and not cancelled and time.monotonic() < deadline:
        time.sleep(0.2)
    if process.poll() is None:
        _kill_group(process)
        status = "CANCELLED" if cancelled else "TIMEOUT"
        reason = "cancelled" if cancelled else f"killed after the hard timeout of {timeout:.0f} s"
    elif process.returncode == 0:
        status, reason = "SUCCEEDED", None
    else:
        stderr = (job_dir / "stderr.log").read_text(encoding="utf-8", errors="replace")
        status, reason = "FAILED", f"worker exited with status {process.returncode}:\n{tail(stderr)}"
    write_json_atomically(job_dir / "exit.json", {"status": status, "exit_code": process.returncode,
                                                  "reason": reason, "finished_at": time.time()})
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--job-dir", type=Path, required=True)
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--slots-dir", type=Path)
    parser.add_argument("--slots", type=int, default=0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        return supervise(args.job_dir, args.timeout, command, args.slots_dir, args.slots)
    except Exception:  # e.g. the worker could not be started (fork refused): say so, never vanish silently
        write_json_atomically(args.job_dir / "exit.json", {
            "status": "FAILED", "exit_code": None, "finished_at": time.time(),
            "reason": f"the supervisor failed:\n{tail(traceback.format_exc())}"})
        return 1


if __name__ == "__main__":
    sys.exit(main())
