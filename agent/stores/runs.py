"""Where research runs are checkpointed: LangGraph's SQLite checkpointer in the data directory, and an index
of runs (question, output directory, status) so `agent ask --resume RUN_ID` knows what to finish."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from agent.errors import InputError
from agent.stores.checkpoints import open_checkpoints


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    question: str
    out_dir: str
    started_at: float
    status: str


class RunStore:
    def __init__(self, path: Path) -> None:
        self.connection, self.checkpointer = open_checkpoints(path)
        self.connection.execute("CREATE TABLE IF NOT EXISTS research_runs (run_id TEXT PRIMARY KEY, question TEXT, "
                                "out_dir TEXT, started_at REAL, status TEXT)")
        self.connection.commit()

    def start(self, run_id: str, question: str, out_dir: Path) -> None:
        """Record a run; its output directory absolute, so that a run started elsewhere can be found."""
        self.connection.execute("INSERT OR REPLACE INTO research_runs VALUES (?, ?, ?, ?, 'running')",
                                (run_id, question, str(out_dir.resolve()), time.time()))
        self.connection.commit()

    def finish(self, run_id: str) -> None:
        self.connection.execute("UPDATE research_runs SET status = 'finished' WHERE run_id = ?", (run_id,))
        self.connection.commit()

    def get(self, run_id: str) -> RunInfo:
        row = self.connection.execute("SELECT * FROM research_runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            recent = [r[0] for r in self.connection.execute(
                "SELECT run_id FROM research_runs ORDER BY started_at DESC LIMIT 3").fetchall()]
            raise InputError(f"no run {run_id!r} to resume (recent: {', '.join(recent) or 'none'})")
        return RunInfo(*row)

    def recent(self, limit: int = 20) -> list[RunInfo]:
        """The latest runs, newest first."""
        rows = self.connection.execute("SELECT * FROM research_runs ORDER BY started_at DESC LIMIT ?",
                                       (limit,)).fetchall()
        return [RunInfo(*row) for row in rows]

    def close(self) -> None:
        self.connection.close()
