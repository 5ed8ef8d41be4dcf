"""Rows of `predictions.jsonl`: one per judged claim, written as judged and read back to resume."""

from __future__ import annotations

import json
from pathlib import Path

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
