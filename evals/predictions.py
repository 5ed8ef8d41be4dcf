"""Rows of `predictions.jsonl`: one per judged claim, written as judged and read back to resume."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from agent.records import VerifiedClaim
from evals.suite import SuiteItem


def prediction_row(item: SuiteItem, result: VerifiedClaim | None, **extra) -> dict:
    """The row for one claim; `result` None means nothing was judged (NOT_ENOUGH_INFO, confidence 0)."""
    verdict = result.verdict if result else "NOT_ENOUGH_INFO"
    return {"id": item.id, "claim": item.claim, "gold": item.label, "predicted": verdict,
            "confidence": result.confidence if result else 0.0, "correct": verdict == item.label, **extra,
            "evidence": [e.model_dump(exclude={"is_source"}) for e in result.evidence] if result else []}


def read_predictions(path: Path) -> dict[str, dict]:
    done: dict[str, dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by an interruption: that item is predicted again
            done[row["id"]] = row
    return done


Item = TypeVar("Item")


def predict_resumably(items: list[Item], item_id: Callable[[Item], str], predict: Callable[[Item], dict],
                      predictions_path: Path, *, workers: int = 1,
                      on_progress: Callable[[int, int], None] | None = None) -> tuple[dict[str, dict], int, float]:
    """Predict the items not yet in `predictions_path`, appending each row as it is made.

    Returns (every row by id, how many were predicted now, seconds that took)."""
    done = read_predictions(predictions_path)
    todo = [item for item in items if item_id(item) not in done]
    lock = threading.Lock()
    started = time.perf_counter()

    def work(item: Item) -> None:
        row = predict(item)
        with lock, open(predictions_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            done[row["id"]] = row
            if on_progress:
                on_progress(len(done), len(items))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(work, item) for item in todo]:
            future.result()
    return done, len(todo), time.perf_counter() - started
