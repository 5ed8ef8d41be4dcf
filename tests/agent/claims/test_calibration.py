"""Calibration: applying a map, fitting one on a run, and the verifier using it."""

import json

import numpy as np
import pytest

from agent.claims.calibration import CalibrationMap, calibration_path
from agent.errors import InputError
from agent.graphs.context import RunContext
from agent.records import VERDICTS
from evals.calibrate import fit_calibration


def test_apply_shifts_and_sharpens():
    calibration = CalibrationMap(
        provider="p",
        model="m",
        bias={"SUPPORTED": 0.0, "REFUTED": 1.0, "NOT_ENOUGH_INFO": -1.0},
        temperature=1.0,
        fitted_on="x",
        n=1,
    )
    out = calibration.apply({"SUPPORTED": 0.3, "REFUTED": 0.2, "NOT_ENOUGH_INFO": 0.5})
    assert abs(sum(out.values()) - 1) < 1e-9
    assert max(out, key=out.get) == "REFUTED"
    identity = CalibrationMap(provider="p", model="m", bias={}, temperature=1.0, fitted_on="x", n=1)
    assert identity.apply({"SUPPORTED": 0.3, "REFUTED": 0.2, "NOT_ENOUGH_INFO": 0.5})["SUPPORTED"] == pytest.approx(0.3)


def _biased_run(tmp_path, n=300, seed=0):
    """A run whose judge is informative but leans to NOT_ENOUGH_INFO, as the embedded model does."""
    rng = np.random.default_rng(seed)
    suite = tmp_path / "suite"
    suite.mkdir()
    claims, rows = [], []
    for i in range(n):
        gold = VERDICTS[i % 3]
        evidence = (
            {}
            if gold == "NOT_ENOUGH_INFO"
            else {"d": [{"sentences": [0], "label": "SUPPORT" if gold == "SUPPORTED" else "CONTRADICT"}]}
        )
        claims.append({"id": str(i), "claim": f"c{i}", "evidence": evidence, "cited_doc_ids": ["d"]})
        logits = (
            rng.normal(0, 1, 3) + np.array([2.0 if v == gold else 0.0 for v in VERDICTS]) + np.array([0, -1.5, 1.5])
        )
        probs = np.exp(logits) / np.exp(logits).sum()
        predicted = VERDICTS[int(probs.argmax())]
        rows.append({"id": str(i), "gold": gold, "predicted": predicted, "confidence": float(probs.max()),
                     "correct": predicted == gold,
                     "evidence": [{"paper_id": "d", "quote": "q", "stance": predicted,
                                   "probabilities": dict(zip(VERDICTS, probs.tolist()))}]})
    (suite / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims))
    (suite / "corpus.jsonl").write_text(json.dumps({"doc_id": "d", "title": "t", "abstract": ["s"]}) + "\n")
    run = tmp_path / "run"
    run.mkdir()
    (run / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (run / "metrics.json").write_text(json.dumps({"suite": str(suite), "mode": "oracle",
                                                  "provider": {"name": "test", "model": "biased-judge"}}))
    return run


def test_fit_removes_the_bias_and_improves_calibration(tmp_path, monkeypatch):
    monkeypatch.setattr("agent.claims.calibration.CALIBRATION_DIR", tmp_path / "calibrations")
    calibration = fit_calibration(_biased_run(tmp_path), write=False)
    before, after = calibration.fit_metrics["before"], calibration.fit_metrics["after"]
    assert after["nll"] < before["nll"] and after["macro_f1"] > before["macro_f1"] + 0.1
    assert calibration.bias["REFUTED"] > 0.8 and calibration.bias["NOT_ENOUGH_INFO"] < -0.8
    assert calibration.n == 300


def test_fit_refuses_a_tiny_or_wrong_run(tmp_path):
    with pytest.raises(InputError, match="not an eval run"):
        fit_calibration(tmp_path)
    run = _biased_run(tmp_path, n=10)
    with pytest.raises(InputError, match="only 10 judgments"):
        fit_calibration(run, write=False)


def test_calibration_file_names_are_safe():
    assert calibration_path("local", "/models/My Model.gguf").name == "local__My_Model.gguf.json"


def test_verifier_applies_a_shipped_map(scripted_services, monkeypatch, tmp_path):
    from agent.graphs.verifier.graph import build_verifier_graph
    from agent.records import Claim
    from tools.snapshot import snapshot_by_id

    calibration = CalibrationMap(provider="openai", model="scripted", temperature=2.0, fitted_on="test", n=100,
                                 bias={"SUPPORTED": 0.0, "REFUTED": 0.0, "NOT_ENOUGH_INFO": 0.0})
    monkeypatch.setattr(type(scripted_services), "calibration", property(lambda self: calibration))
    paper = snapshot_by_id()["2005.00633"]
    sentence = paper.abstract.split(". ")[0] + "."
    # a user's claim (no quote of its own), so the source passage is judged by the model
    claim = Claim(id="C1", text=sentence, paper_id=paper.id, quote="")
    scripted_services.settings.max_evidence_per_claim = 0
    result = build_verifier_graph().invoke({"claim": claim}, context=RunContext(scripted_services))["result"]
    evidence = result.evidence[0]
    assert result.calibrated is True
    assert evidence.probabilities["SUPPORTED"] < evidence.raw_probabilities["SUPPORTED"]  # T=2 softens


def test_each_judgment_kind_gets_its_own_map_and_falls_back_on_the_default(scripted_services, monkeypatch):
    import agent.services as services_module
    from agent.graphs.verifier.nodes import judgment_kind
    from agent.records import Claim

    default = CalibrationMap(provider="openai", model="scripted", temperature=1.0, fitted_on="dev", n=50,
                             bias={"SUPPORTED": 0.0, "REFUTED": 0.0, "NOT_ENOUGH_INFO": 0.0})
    corroboration = default.model_copy(update={"fitted_on": "pairs", "bias": {"SUPPORTED": 0.0, "REFUTED": -2.0,
                                                                              "NOT_ENOUGH_INFO": 1.0}})
    monkeypatch.setattr(type(scripted_services), "calibration", property(lambda self: default))
    monkeypatch.setattr(services_module, "load_calibration",
                        lambda provider, model, kind=None: corroboration if kind == "corroboration" else None)
    extracted, users = Claim(text="c", paper_id="p", quote="q"), Claim(text="c", paper_id="p", quote="")
    assert judgment_kind(True, extracted) == "faithfulness" and judgment_kind(False, extracted) == "corroboration"
    assert judgment_kind(False, users) is None
    assert scripted_services.calibration_for("corroboration") is corroboration
    assert scripted_services.calibration_for("faithfulness") is default, "no map for the kind: the default"
    assert scripted_services.calibration_for(None) is default
