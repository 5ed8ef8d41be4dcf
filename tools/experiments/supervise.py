"""Run the worker under a hard timeout and record how it ended: the local backend's process supervisor.

    python -m tools.experiments.supervise --job-dir DIR --timeout SECONDS -- WORKER COMMAND...

The worker runs in its own process group (so a timeout or a cancel kills it and anything it started), with
stdout to `worker.log` and stderr to `stderr.log`. `exit.json` records the end: SUCCEEDED, FAILED (with the
stderr tail), TIMEOUT or CANCELLED (SIGTERM to the supervisor).
"""

from __future__ import annotations

import argparse
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


def supervise(job_dir: Path, timeout: float, command: list[str]) -> int:
    cancelled = False

    def on_term(signum, frame):
        nonlocal cancelled
        cancelled = True

    signal.signal(signal.SIGTERM, on_term)
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
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        return supervise(args.job_dir, args.timeout, command)
    except Exception:  # e.g. the worker could not be started (fork refused): say so, never vanish silently
        write_json_atomically(args.job_dir / "exit.json", {
            "status": "FAILED", "exit_code": None, "finished_at": time.time(),
            "reason": f"the supervisor failed:\n{tail(traceback.format_exc())}"})
        return 1


if __name__ == "__main__":
    sys.exit(main())
