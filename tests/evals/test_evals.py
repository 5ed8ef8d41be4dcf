"""Eval suites: the reader, the metrics, and `agent eval verify/compare` against the scripted server."""

import json
import math

import pytest

from agent.errors import InputError
from evals.compare import compare_runs, paired_bootstrap
from evals.metrics import brier_score, coverage_accuracy, expected_calibration_error, macro_f1, summarize
from evals.predictions import read_predictions
from evals.suite import load_suite
from evals.verify_runner import run_verify_eval

SCIFACT = "evals/suites/scifact-train"


def _write_suite(path, claims, corpus):
    path.mkdir(parents=True)
    (path / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims))
    (path / "corpus.jsonl").write_text("".join(json.dumps(d) + "\n" for d in corpus))
    return path


def test_bundled_scifact_suite_loads_with_claim_level_labels():
    items, corpus = load_suite(SCIFACT)
    assert len(items) == 809 and len(corpus) == 565
    labels = {item.label for item in items}
    assert labels == {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"}
    assert all(doc in corpus for item in items for doc in item.cited_doc_ids)


def test_suite_with_string_ids_and_errors(tmp_path):
    suite = _write_suite(
        tmp_path / "s",
        [
            {
                "id": "a",
                "claim": "X helps.",
                "evidence": {"d1": [{"sentences": [0], "label": "SUPPORT"}]},
                "cited_doc_ids": ["d1"],
            },
            {"id": 2, "claim": "Y hurts.", "evidence": {}, "cited_doc_ids": ["d1"]},
        ],
        [{"doc_id": "d1", "title": "T", "abstract": ["X helps.", "More."]}],
    )
    items, corpus = load_suite(suite)
    assert [(i.id, i.label) for i in items] == [("a", "SUPPORTED"), ("2", "NOT_ENOUGH_INFO")]
    assert corpus["d1"].abstract == "X helps. More."
    with pytest.raises(InputError, match="not found"):
        load_suite(tmp_path / "missing")
    (suite / "claims.jsonl").write_text('{"id": 1, "claim": "c", "cited_doc_ids": ["nope"]}\n')
    with pytest.raises(InputError, match="not in corpus"):
        load_suite(suite)
    (suite / "claims.jsonl").write_text("{broken\n")
    with pytest.raises(InputError, match="claims.jsonl:1"):
        load_suite(suite)


def test_metrics_on_known_values():
    gold = ["SUPPORTED", "SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
    predicted = ["SUPPORTED", "REFUTED", "REFUTED", "NOT_ENOUGH_INFO"]
    # F1: SUPPORTED p=1 r=.5 -> .667; REFUTED p=.5 r=1 -> .667; NEI 1.0
    assert macro_f1(gold, predicted) == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    correct = [True, False, True, True]
    confidences = [0.9, 0.8, 0.6, 0.7]
    # bins: 0.9 (acc 1), 0.8 (acc 0), 0.6 (1), 0.7 (1) -> |.9-1|+|.8-0|+|.6-1|+|.7-1| = 1.6 / 4
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.4)
    assert brier_score(confidences, correct) == pytest.approx((0.01 + 0.64 + 0.16 + 0.09) / 4)
    rows = {r["threshold"]: r for r in coverage_accuracy(confidences, correct)}
    assert rows[0.7]["coverage"] == 0.75 and rows[0.7]["accuracy"] == pytest.approx(2 / 3)
    summary = summarize(gold, predicted, confidences)
    assert summary["confusion"]["SUPPORTED"]["REFUTED"] == 1 and summary["n"] == 4


def test_perfectly_calibrated_confidences_have_small_ece():
    import numpy as np

    rng = np.random.default_rng(0)
    confidences = rng.uniform(0.34, 1.0, 20000)
    correct = rng.uniform(size=confidences.size) < confidences
    assert expected_calibration_error(confidences.tolist(), correct.tolist()) < 0.02


def test_paired_bootstrap_interval_contains_the_difference():
    gold = ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"] * 20
    a = ["SUPPORTED"] * 60
    difference, low, high = paired_bootstrap(gold, a, gold, samples=300)
    assert difference > 0 and low <= difference <= high and low > 0
    assert math.isclose(paired_bootstrap(gold, a, a, samples=50)[0], 0.0)


def test_eval_verify_writes_three_files_and_resumes(tmp_path, scripted_services, chat_server):
    out = tmp_path / "run"
    metrics = run_verify_eval(SCIFACT, scripted_services, out, limit=12)
    assert metrics["n"] == 12 and 0 <= metrics["macro_f1"] <= 1 and 0 <= metrics["ece"] <= 1
    for name in ("metrics.json", "predictions.jsonl", "reliability.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "reliability.png").read_bytes()[:4] == b"\x89PNG"
    rows = read_predictions(out / "predictions.jsonl")
    assert len(rows) == 12 and all(r["predicted"] in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO") for r in rows.values())
    # Interrupted run: drop the last line and cut another; the resumed run predicts only what is missing.
    lines = (out / "predictions.jsonl").read_text().splitlines()
    (out / "predictions.jsonl").write_text("\n".join(lines[:-2]) + "\n" + lines[-2][:20])
    before = len(chat_server.requests)
    resumed = run_verify_eval(SCIFACT, scripted_services, out, limit=12)
    assert resumed["predicted_this_run"] == 2 and resumed["n"] == 12
    assert resumed["macro_f1"] == pytest.approx(metrics["macro_f1"])
    assert 0 < len(chat_server.requests) - before <= 2 * 5  # at most the two claims' cited documents


def test_compare_two_runs(tmp_path, scripted_services):
    run_verify_eval(SCIFACT, scripted_services, tmp_path / "a", limit=8)
    run_verify_eval(SCIFACT, scripted_services, tmp_path / "b", limit=8)
    result = compare_runs(tmp_path / "a", tmp_path / "b")
    assert result["n_shared"] == 8 and result["changed_predictions"] == 0
    assert result["macro_f1"]["difference"] == 0.0
    with pytest.raises(InputError):
        compare_runs(tmp_path / "a", tmp_path / "nothing")


def test_open_mode_retrieves_from_the_corpus_and_scores_scifact_style(tmp_path, scripted_services):
    metrics = run_verify_eval("evals/suites/arxiv-claims/dev", scripted_services, tmp_path / "open",
                              mode="open", limit=6)
    rows = read_predictions(tmp_path / "open" / "predictions.jsonl")
    assert all(len(r["retrieved"]) == 3 for r in rows.values())
    # SUPPORT and CONTRADICT claims restate a sentence of their own abstract: retrieval finds it.
    items, _ = load_suite("evals/suites/arxiv-claims/dev")
    for item in items[:6]:
        if item.doc_labels:
            assert set(rows[item.id]["retrieved"]) & set(item.doc_labels)
    for level in ("abstract_level", "sentence_level"):
        assert set(metrics[level]) == {"precision", "recall", "f1", "predicted", "gold"}
        assert 0 <= metrics[level]["f1"] <= 1
    assert metrics["abstract_level"]["gold"] == sum(len(i.doc_labels) for i in items[:6])


def test_scifact_scores_on_known_rows():
    from evals.open_retrieval import scifact_scores
    from evals.suite import SuiteItem

    items = [SuiteItem(id="1", claim="c", label="SUPPORTED", cited_doc_ids=["a"], rationales={"a": [2]},
                       doc_labels={"a": "SUPPORTED"}),
             SuiteItem(id="2", claim="d", label="NOT_ENOUGH_INFO", cited_doc_ids=["b"])]
    rows = {"1": {"abstract_predictions": [["a", "SUPPORTED"], ["b", "REFUTED"]],
                  "sentence_predictions": [["a", "SUPPORTED", 2], ["b", "REFUTED", 0]]},
            "2": {"abstract_predictions": [], "sentence_predictions": []}}
    scores = scifact_scores(items, rows)
    assert scores["abstract_level"]["precision"] == 0.5 and scores["abstract_level"]["recall"] == 1.0
    assert scores["sentence_level"]["precision"] == 0.5 and scores["sentence_level"]["gold"] == 1
