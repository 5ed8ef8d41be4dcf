"""The library's store lock: one process at a time, the other waits and then fails with a clear message."""

import subprocess
import sys
import time

import pytest

from agent.errors import ConfigError
from tools.store_lock import lock_store


@pytest.mark.faults
def test_a_store_locked_by_another_process_is_waited_for_then_refused(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from tools.store_lock import lock_store; lock_store(Path(sys.argv[1]), 5); "
                               "print('locked', flush=True); time.sleep(30)", str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        waits = []
        started = time.monotonic()
        with pytest.raises(ConfigError, match=f"in use by pid {holder.pid} .*AGENT_CHROMA_URL"):
            lock_store(tmp_path, timeout=1.0, on_wait=waits.append)
        assert 0.9 <= time.monotonic() - started < 5 and waits and "waiting for pid" in waits[0]
    finally:
        holder.kill()
        holder.wait()
    lock_store(tmp_path, timeout=5.0)  # the OS released the dead holder's lock
    lock_store(tmp_path, timeout=0.1)  # and the lock is re-entrant within a process
