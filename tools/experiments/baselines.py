"""Published zero-shot per-language accuracies, each number with its source (`tools/data/xlt/published_results.json`).

All are on the TEST split, while our runs evaluate on held-out DEV items: expect differences of a point or two
from the split alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from tools.experiments.data import DATA_DIR

PUBLISHED_PATH = DATA_DIR / "published_results.json"
_LANGUAGE_NAMES = {"English": "en", "Chinese": "zh", "Spanish": "es", "German": "de", "Arabic": "ar", "Urdu": "ur"}


@dataclass(frozen=True)
class PublishedRow:
    task: str
    model: str
    accuracy: dict[str, float]  # language -> accuracy in [0, 1]
    average: float | None
    source: str


def _source(block: dict, extra: str) -> str:
    return f"{extra}; table copied from {block['source']}"


@cache
def published_rows() -> tuple[PublishedRow, ...]:
    data = json.loads(PUBLISHED_PATH.read_text(encoding="utf-8"))
    rows: list[PublishedRow] = []
    pawsx = data["pawsx_per_language_zero_shot"]
    for row in pawsx["rows"]:
        if row["setting"] == "Cross-lingual Transfer":
            rows.append(
                PublishedRow(
                    "pawsx",
                    row["model"],
                    {k: round(v / 100, 4) for k, v in row.items() if len(k) == 2},
                    round(row["Avg"] / 100, 4),
                    _source(pawsx, "XTREME, Hu et al. 2020, arXiv:2003.11080"),
                )
            )
    xnli = data["xnli_per_language_from_ernie_m"]
    for row in xnli["rows"]:
        if row["setting"] == "Cross-lingual Transfer":
            origin = ("XLM-R, Conneau et al. 2020, arXiv:1911.02116" if row["model"].startswith("XLM-R")
                      else f"{row['model']} as reported in the ERNIE-M README")
            rows.append(
                PublishedRow(
                    "xnli",
                    row["model"],
                    {k: round(v / 100, 4) for k, v in row.items() if len(k) == 2},
                    round(row["Avg"] / 100, 4),
                    _source(xnli, origin),
                )
            )
    bert = data["xnli_mbert_google_bert_repo"]
    for row in bert["rows"]:
        if row["model"] == "BERT - Zero Shot Uncased":
            accuracy = {_LANGUAGE_NAMES[k]: round(v / 100, 4) for k, v in row.items() if k in _LANGUAGE_NAMES}
            rows.append(PublishedRow("xnli", "mBERT (uncased)", accuracy, None,
                                     _source(bert, "multilingual BERT release, Devlin et al.")))
    return tuple(rows)


def baseline_model_for(task: str, model: str) -> str:
    """The published model closest to ours in kind and size."""
    name = model.lower()
    if "large" in name:
        return "XLM-R Large"
    if "bert-base-multilingual" in name or "mbert" in name:
        return "mBERT (uncased)" if task == "xnli" else "mBERT"
    # xlm-roberta-base and multilingual-e5 (an XLM-R encoder): XLM-R base where published (XNLI only)
    return "XLM-R" if task == "xnli" else "mBERT"


def published_row(task: str, model: str) -> PublishedRow | None:
    wanted = baseline_model_for(task, model)
    return next((row for row in published_rows() if row.task == task and row.model == wanted), None)
