"""The review rubric every reviewer scores an answer on (`prompts/review_rubric.txt`), shown in the report."""

from __future__ import annotations

from prompts import PROMPT_DIR


def rubric() -> list[str]:
    return [line.strip() for line in (PROMPT_DIR / "review_rubric.txt").read_text().splitlines() if line.strip()]
