"""LangGraph's SQLite checkpointer, set up one way for research runs and chat threads alike."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

# The typed records the research state holds, allowed back out of a checkpoint (and nothing else).
STATE_TYPES = [
    ("tools.papers", "Paper"),
    ("agent.records", "Claim"), ("agent.records", "ClaimSource"), ("agent.records", "Evidence"),
    ("agent.records", "VerifiedClaim"),
    ("tools.experiments.spec", "ExperimentSpec"), ("tools.experiments.spec", "HyperParameters"),
    ("tools.experiments.spec", "DataLimits"), ("tools.experiments.spec", "Resources"),
    ("agent.report.model", "ExperimentReport"), ("agent.report.model", "LanguageResult"),
    ("agent.report.model", "BaselineNumber"), ("agent.report.model", "ClaimTestEvidence"),
    ("agent.report.model", "TestedAccuracy"),
    ("agent.experiments.claim_tests", "ClaimTest"), ("agent.experiments.claim_tests", "NotTestable"),
]


def open_checkpoints(path: Path) -> tuple[sqlite3.Connection, SqliteSaver]:
    """A SQLite database with LangGraph's checkpoint tables, shared by threads of this process; the
    serializer lets the research state's typed records back out by name, and nothing else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    checkpointer = SqliteSaver(connection, serde=JsonPlusSerializer(allowed_msgpack_modules=STATE_TYPES))
    checkpointer.setup()
    return connection, checkpointer
