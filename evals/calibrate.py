"""Fit a `CalibrationMap` (per-label bias and a temperature) on the judgments of an eval run.

Each judged passage of an oracle run is one training example: its raw label probabilities and its
gold label (the claim's gold label when it cites one document; for a claim citing several, the
document's gold label, NOT_ENOUGH_INFO for a cited document without evidence). The map minimises the
negative log-likelihood of the gold labels.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from agent.claims.calibration import CalibrationMap, calibration_path
from agent.errors import InputError
from agent.records import VERDICTS
from evals.metrics import expected_calibration_error, macro_f1
from evals.predictions import read_predictions
from evals.suite import load_suite


def _examples(run_dir: Path) -> tuple[np.ndarray, list[int], dict]:
    metrics_path = run_dir / "metrics.json"
    if not metrics_path.exists():
        raise InputError(f"{run_dir} is not an eval run (no metrics.json)")
    metrics = json.loads(metrics_path.read_text())
    if metrics.get("mode") != "oracle":
        raise InputError("calibration is fitted on an oracle-mode run")
    items = {item.id: item for item in load_suite(Path(metrics["suite"]))[0]}
    rows = read_predictions(run_dir / "predictions.jsonl")
    log_probs, gold = [], []
    for item_id, row in rows.items():
        item = items.get(item_id)
        if item is None:
            continue
        for evidence in row["evidence"]:
            label = item.label if len(item.cited_doc_ids) == 1 else item.doc_labels.get(evidence["paper_id"],
                                                                                        "NOT_ENOUGH_INFO")
            raw = evidence.get("raw_probabilities") or evidence["probabilities"]
            log_probs.append([math.log(max(raw.get(v, 0.0), 1e-6)) for v in VERDICTS])
            gold.append(VERDICTS.index(label))
    if len(gold) < 30:
        raise InputError(
            f"{run_dir} has only {len(gold)} judgments; fit calibration on at least 30 (hundreds is better)"
        )
    return np.array(log_probs), gold, metrics


def calibrated_probabilities(log_probs: np.ndarray, bias: np.ndarray, temperature: float) -> np.ndarray:
    logits = (log_probs + bias) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=1, keepdims=True)


def summary(probabilities: np.ndarray, gold: list[int]) -> dict:
    predicted = probabilities.argmax(axis=1)
    names = [VERDICTS[i] for i in gold]
    return {
        "nll": float(-np.mean(np.log(probabilities[np.arange(len(gold)), gold] + 1e-12))),
        "macro_f1": macro_f1(names, [VERDICTS[i] for i in predicted]),
        "accuracy": float(np.mean(predicted == np.array(gold))),
        "ece": expected_calibration_error(probabilities.max(axis=1).tolist(), (predicted == np.array(gold)).tolist()),
    }


def fit_bias_and_temperature(log_probs: np.ndarray, gold: list[int],
                             temperature_range: tuple[float, float] | None = None,
                             bias_range: tuple[float, float] | None = None) -> tuple[dict[str, float], float]:
    """The per-label bias (SUPPORTED is the reference) and temperature minimising the gold labels' NLL.
    `temperature_range` bounds the temperature: with few examples of a label the unbounded optimum is a map
    that is certain of everything."""
    index = np.arange(len(gold))
    low, high = (math.log(t) for t in temperature_range) if temperature_range else (-math.inf, math.inf)
    lowest, highest = bias_range or (-math.inf, math.inf)

    def loss(params: np.ndarray) -> float:
        bias = np.clip(np.array([0.0, params[0], params[1]]), lowest, highest)
        probabilities = calibrated_probabilities(log_probs, bias, math.exp(min(max(params[2], low), high)))
        return float(-np.mean(np.log(probabilities[index, gold] + 1e-12)))

    result = minimize(
        loss, x0=np.zeros(3), method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 4000}
    )
    clipped = np.clip(result.x[:2], lowest, highest)
    bias = {VERDICTS[0]: 0.0, VERDICTS[1]: float(clipped[0]), VERDICTS[2]: float(clipped[1])}
    return bias, float(math.exp(min(max(result.x[2], low), high)))


def fit_calibration(run_dir: Path, write: bool = True) -> CalibrationMap:
    log_probs, gold, metrics = _examples(run_dir)
    bias, temperature = fit_bias_and_temperature(log_probs, gold)
    before = summary(calibrated_probabilities(log_probs, np.zeros(3), 1.0), gold)
    after = summary(calibrated_probabilities(log_probs, np.array(list(bias.values())), temperature), gold)
    calibration = CalibrationMap(
        provider=metrics["provider"]["name"], model=metrics["provider"]["model"], bias=bias,
        temperature=temperature, fitted_on=f"{metrics['suite']} ({run_dir})", n=len(gold),
        fit_metrics={"before": before, "after": after},
    )
    if write:
        path = calibration_path(calibration.provider, calibration.model)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(calibration.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return calibration
