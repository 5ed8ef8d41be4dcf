"""`agent eval verify`: run the verifier graph over a suite; write predictions, metrics and a plot.

Oracle mode judges each claim against its cited documents only; open mode retrieves evidence from the
whole suite corpus first (`evals/open_retrieval.py`). Predictions are appended to
`predictions.jsonl` as they are made, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from agent.errors import InputError
from agent.graphs.context import RunContext
from agent.graphs.verifier import verify
from agent.graphs.verifier.state import Passage
from agent.records import Claim
from agent.services import Services
from evals.metrics import summarize
from evals.open_retrieval import SuiteRetriever, predict_open, scifact_scores
from evals.plots import reliability_diagram
from evals.predictions import predict_resumably, prediction_row
from evals.suite import SuiteDocument, SuiteItem, load_suite, suite_label


def _passages(item: SuiteItem, corpus: dict[str, SuiteDocument]) -> list[Passage]:
    return [Passage(paper_id=doc_id, title=corpus[doc_id].title, text=corpus[doc_id].abstract, is_source=True)
            for doc_id in item.cited_doc_ids]


def predict(item: SuiteItem, corpus: dict[str, SuiteDocument], services: Services) -> dict:
    claim = Claim(id=item.id, text=item.claim, paper_id=item.cited_doc_ids[0] if item.cited_doc_ids else "", quote="")
    passages = _passages(item, corpus)
    if not passages:
        return prediction_row(item, None)
    return prediction_row(item, verify(claim, RunContext(services), passages=passages))


def run_verify_eval(suite_dir: Path, services: Services, out_dir: Path, *, mode: str = "oracle",
                    limit: int | None = None, workers: int = 1,
                    on_progress: Callable[[int, int], None] | None = None) -> dict:
    if mode not in ("oracle", "open"):
        raise InputError(f"unknown --mode {mode}: use oracle or open")
    items, corpus = load_suite(suite_dir)
    items = items[:limit] if limit else items
    out_dir.mkdir(parents=True, exist_ok=True)
    retriever = SuiteRetriever(services, corpus) if mode == "open" else None

    def predict_item(item: SuiteItem) -> dict:
        return predict_open(item, corpus, retriever, services) if retriever else predict(item, corpus, services)

    if services.judge_uses_llm:
        _ = services.provider  # fail fast on a missing model or an unreachable server
    done, n_predicted, elapsed = predict_resumably(items, lambda item: item.id, predict_item,
                                                   out_dir / "predictions.jsonl", workers=workers,
                                                   on_progress=on_progress)
    rows = [done[item.id] for item in items]
    metrics = summarize([r["gold"] for r in rows], [r["predicted"] for r in rows], [r["confidence"] for r in rows])
    if mode == "open":
        metrics.update(scifact_scores(items, done))
    metrics.update({
        "suite": str(suite_dir), "mode": mode,
        # whose calibration map `agent eval calibrate` fits on this run: the judge's
        "provider": dict(zip(("name", "model"), services.judge_identity, strict=True)),
        "judge": services.judge_name, "calibrated": services.judge_calibrated,
        "predicted_this_run": n_predicted, "seconds_this_run": round(elapsed, 2),
        "items_per_minute": round(60 * n_predicted / elapsed, 2) if n_predicted and elapsed > 0 else None,
        "seconds_per_claim": round(elapsed / n_predicted, 2) if n_predicted else None,
        # time inside model calls over wall time; > 1 when several claims are judged at once
        "model_time_share": (round(services.tracker.totals().llm_seconds / elapsed, 3)
                             if n_predicted and elapsed > 0 else None),
    })
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    reliability_diagram(metrics["reliability"], metrics["ece"],
                        f"{suite_label(suite_dir)} · {services.provider.model} · n={metrics['n']}",
                        out_dir / "reliability.png")
    return metrics
