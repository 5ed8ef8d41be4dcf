"""Writing files so that a reader, or a run killed midway, sees the whole new file or the old one."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Write to a temporary beside `path` (named by this process, so concurrent writers never share one), then
    rename it over `path`."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
