"""Where research runs are checkpointed: LangGraph's SQLite checkpointer in the data directory, and an index
of runs (question, output directory, status) so `agent ask --resume RUN_ID` knows what to finish."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.errors import InputError

# The typed records the research state holds, allowed back out of a checkpoint (and nothing else).
STATE_TYPES = [
    ("tools.papers", "Paper"),
    ("agent.records", "Claim"), ("agent.records", "ClaimSource"), ("agent.records", "Evidence"),
    ("agent.records", "VerifiedClaim"),
    ("tools.experiments.spec", "ExperimentSpec"), ("tools.experiments.spec", "HyperParameters"),
    ("tools.experiments.spec", "DataLimits"), ("tools.experiments.spec", "Resources"),
    ("agent.report", "ExperimentReport"), ("agent.report", "LanguageResult"), ("agent.report", "BaselineNumber"),
]


def open_checkpoints(path: Path) -> tuple[sqlite3.Connection, SqliteSaver]:
    """A SQLite database with LangGraph's checkpoint tables, shared by threads of this process; the
    serializer lets the research state's typed records back out by name, and nothing else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    checkpointer = SqliteSaver(connection, serde=JsonPlusSerializer(allowed_msgpack_modules=STATE_TYPES))
    checkpointer.setup()
    return connection, checkpointer


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
        self.connection.execute("INSERT OR REPLACE INTO research_runs VALUES (?, ?, ?, ?, 'running')",
                                (run_id, question, str(out_dir), time.time()))
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

    def close(self) -> None:
        self.connection.close()
