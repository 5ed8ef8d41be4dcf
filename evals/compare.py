"""`agent eval compare`: two verification runs on the same items, with a paired bootstrap on macro-F1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from agent.errors import InputError
from evals.metrics import macro_f1
from evals.predictions import read_predictions

BOOTSTRAP_SAMPLES = 2000


def load_run(run_dir: Path) -> tuple[dict, dict[str, dict]]:
    metrics_path = run_dir / "metrics.json"
    if not metrics_path.exists():
        raise InputError(f"{run_dir} is not an eval run (no metrics.json)")
    return json.loads(metrics_path.read_text()), read_predictions(run_dir / "predictions.jsonl")


def paired_bootstrap(gold: list[str], a: list[str], b: list[str], samples: int = BOOTSTRAP_SAMPLES,
                     seed: int = 0) -> tuple[float, float, float]:
    """Difference in macro-F1 (b - a) and its 95% interval over resampled items."""
    rng = np.random.default_rng(seed)
    n = len(gold)
    differences = []
    for _ in range(samples):
        index = rng.integers(0, n, n)
        g = [gold[i] for i in index]
        differences.append(macro_f1(g, [b[i] for i in index]) - macro_f1(g, [a[i] for i in index]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return macro_f1(gold, b) - macro_f1(gold, a), float(low), float(high)


def compare_runs(run_a: Path, run_b: Path) -> dict:
    metrics_a, predictions_a = load_run(run_a)
    metrics_b, predictions_b = load_run(run_b)
    shared = sorted(set(predictions_a) & set(predictions_b))
    if not shared:
        raise InputError("the two runs share no predicted items")
    gold = [predictions_a[i]["gold"] for i in shared]
    a = [predictions_a[i]["predicted"] for i in shared]
    b = [predictions_b[i]["predicted"] for i in shared]
    difference, low, high = paired_bootstrap(gold, a, b)
    return {
        "n_shared": len(shared),
        "macro_f1": {"a": macro_f1(gold, a), "b": macro_f1(gold, b), "difference": difference,
                     "interval_95": [low, high]},
        "accuracy": {"a": float(np.mean([x == g for x, g in zip(a, gold)])),
                     "b": float(np.mean([x == g for x, g in zip(b, gold)]))},
        "ece": {"a": metrics_a.get("ece"), "b": metrics_b.get("ece")},
        "changed_predictions": sum(x != y for x, y in zip(a, b)),
    }
