"""Where chat threads live: LangGraph's SQLite checkpointer in the data directory, plus a small index of threads
(first question, last activity) for `agent chat --list`."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from agent.stores.checkpoints import open_checkpoints


@dataclass(frozen=True)
class ThreadInfo:
    thread_id: str
    first_question: str
    last_activity: float
    turns: int


class ChatStore:
    def __init__(self, path: Path) -> None:
        self.connection, self.checkpointer = open_checkpoints(path)
        self.connection.execute("CREATE TABLE IF NOT EXISTS chat_threads (thread_id TEXT PRIMARY KEY, "
                                "first_question TEXT, last_activity REAL, turns INTEGER)")
        self.connection.commit()

    @staticmethod
    def new_thread_id() -> str:
        return time.strftime("%Y%m%d-") + uuid.uuid4().hex[:6]

    def exists(self, thread_id: str) -> bool:
        row = self.connection.execute("SELECT 1 FROM chat_threads WHERE thread_id = ?", (thread_id,)).fetchone()
        return row is not None

    def touch(self, thread_id: str, question: str) -> None:
        self.connection.execute(
            "INSERT INTO chat_threads VALUES (?, ?, ?, 1) ON CONFLICT(thread_id) DO UPDATE SET "
            "last_activity = excluded.last_activity, turns = turns + 1", (thread_id, question[:200], time.time()))
        self.connection.commit()

    def threads(self) -> list[ThreadInfo]:
        rows = self.connection.execute("SELECT thread_id, first_question, last_activity, turns FROM chat_threads "
                                       "ORDER BY last_activity DESC").fetchall()
        return [ThreadInfo(*row) for row in rows]

    def close(self) -> None:
        self.connection.close()
