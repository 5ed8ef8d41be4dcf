"""One process at a time on a persistent Chroma store.

Chroma's embedded client keeps the vector index in memory and writes it back; two processes on one store
lose each other's writes or break the index. So a process takes an exclusive lock on the store (an
`flock` on a file beside it, released by the OS when the process ends, even on kill -9) and holds it for
its lifetime; a second process waits for it, saying so, up to a timeout. For truly concurrent use, run a
Chroma server and set AGENT_CHROMA_URL.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

from tools.errors import ConfigError

log = logging.getLogger(__name__)
_held: dict[str, int] = {}  # store path -> file descriptor, kept open for the process's lifetime


def lock_store(store_dir: Path, timeout: float, on_wait=None) -> None:
    """Take the store's lock (re-entrant within a process); raise ConfigError after `timeout` seconds."""
    key = str(store_dir.resolve())
    if key in _held:
        return
    store_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(store_dir / ".agent.lock", os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    waited = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            if time.monotonic() >= deadline:
                os.close(fd)
                raise ConfigError(f"the library at {store_dir} is in use by pid {holder} and stayed locked for "
                                  f"{timeout:.0f} s; wait for it, or run a Chroma server and set AGENT_CHROMA_URL "
                                  "for concurrent runs") from None
            if not waited:
                waited = True
                message = f"waiting for pid {holder} to finish with the library at {store_dir}"
                log.warning(message)
                if on_wait:
                    on_wait(message)
            time.sleep(0.5)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    _held[key] = fd
