"""The options every command shares, declared once, and how they become the one settings object.

Each maps straight onto a setting (`--provider` onto AGENT_PROVIDER, `--data-dir` onto AGENT_DATA_DIR, ...);
a flag that is not given leaves the environment's (or `.env`'s) value in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from agent.settings import Settings, load_settings

Provider = Annotated[Optional[str], typer.Option("--provider", help="local | openai (default: AGENT_PROVIDER).")]
Model = Annotated[Optional[str], typer.Option("--model", help="Model name or GGUF path (default: AGENT_MODEL).")]
Offline = Annotated[bool, typer.Option("--offline", help="Never touch the network: the bundled arXiv snapshot and "
                                                         "the library only (default: AGENT_OFFLINE).")]
DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Data directory: model, library, caches, runs "
                                                                    "(default: AGENT_DATA_DIR).")]
Out = Annotated[Optional[Path], typer.Option("--out", help="Directory to write the results to.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def settings_from(*, provider: str | None = None, model: str | None = None, offline: bool = False,
                  data_dir: Path | None = None, **more) -> Settings:
    """The settings, with the flags that were given laid over the environment's."""
    return load_settings(provider=provider, model=model, offline=offline or None, data_dir=data_dir, **more)
