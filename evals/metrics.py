"""Classification and calibration metrics for verdicts with confidences."""

from __future__ import annotations

from collections import Counter

import numpy as np

LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
ECE_BINS = 15
ABSTAIN_THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def per_class(gold: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    scores = {}
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return scores


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    present = [label for label in LABELS if label in gold]
    table = per_class(gold, predicted)
    return float(np.mean([table[label]["f1"] for label in present])) if present else 0.0


def expected_calibration_error(confidences: list[float], correct: list[bool], bins: int = ECE_BINS) -> float:
    """ECE over equal-width bins of the confidence of the predicted label."""
    conf = np.asarray(confidences, dtype=float)
    hit = np.asarray(correct, dtype=float)
    if conf.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            error += mask.mean() * abs(conf[mask].mean() - hit[mask].mean())
    return float(error)


def reliability_bins(confidences: list[float], correct: list[bool], bins: int = ECE_BINS) -> list[dict]:
    conf = np.asarray(confidences, dtype=float)
    hit = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1) if conf.size else conf
    rows = []
    for b in range(bins):
        mask = index == b
        rows.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": int(mask.sum()),
                     "confidence": float(conf[mask].mean()) if mask.any() else None,
                     "accuracy": float(hit[mask].mean()) if mask.any() else None})
    return rows


def brier_score(confidences: list[float], correct: list[bool]) -> float:
    """Mean squared gap between the confidence in the verdict and whether it was right."""
    if not confidences:
        return 0.0
    return float(np.mean((np.asarray(confidences) - np.asarray(correct, dtype=float)) ** 2))


def coverage_accuracy(confidences: list[float], correct: list[bool]) -> list[dict]:
    """Abstaining below each threshold: the share answered and the accuracy on that share."""
    conf = np.asarray(confidences, dtype=float)
    hit = np.asarray(correct, dtype=float)
    rows = []
    for threshold in ABSTAIN_THRESHOLDS:
        kept = conf >= threshold
        rows.append({"threshold": threshold, "coverage": float(kept.mean()) if conf.size else 0.0,
                     "accuracy": float(hit[kept].mean()) if kept.any() else None})
    return rows


def summarize(gold: list[str], predicted: list[str], confidences: list[float]) -> dict:
    correct = [g == p for g, p in zip(gold, predicted)]
    return {
        "n": len(gold),
        "accuracy": float(np.mean(correct)) if correct else 0.0,
        "macro_f1": macro_f1(gold, predicted),
        "per_class": per_class(gold, predicted),
        "confusion": {g: {p: Counter(zip(gold, predicted))[(g, p)] for p in LABELS} for g in LABELS},
        "ece": expected_calibration_error(confidences, correct),
        "brier": brier_score(confidences, correct),
        "coverage_accuracy": coverage_accuracy(confidences, correct),
        "reliability": reliability_bins(confidences, correct),
        "gold_distribution": dict(Counter(gold)),
        "predicted_distribution": dict(Counter(predicted)),
    }
