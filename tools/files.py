"""Writing files so that a reader, or a run killed midway, sees the whole new file or the old one."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


def _temporary_beside(path: Path) -> Path:
    """A temporary name beside `path`, named by this process, so concurrent writers never share one."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def open_atomically(path: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes `path` only when the block ends without an error; on an error the
    temporary is removed and `path` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_beside(path)
    try:
        with open(temporary, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    with open_atomically(path) as handle:
        handle.write(text.encode("utf-8"))


def write_json_atomically(path: Path, data: object) -> None:
    write_text_atomically(path, json.dumps(data, indent=2) + "\n")
