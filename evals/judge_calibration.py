"""Calibrate the cross-encoder judge and measure its calibration on 1,000+ held-out judgments.

    python -m evals.judge_calibration [--oof runs/train-judge/all/oof.jsonl] [--write]

Judgments (one claim against one passage; the confidence is that of the most probable label):
- SciFact train, every claim against each cited abstract, from `agent eval train-judge --cv`'s out-of-fold
  probabilities (the model that judged a claim never trained on it);
- the arXiv dev and test suites and the held-out half of the real-run pairs, judged by the shipped judge
  (never trained on any of them).
The map (a per-label bias and a temperature, `agent/claims/calibration.py`) is cross-fitted, so no judgment
is scored by a map fitted on it: a SciFact fold's judgments by a map fitted on the other folds and arXiv dev;
the arXiv test and real-run judgments by the map fitted on all of SciFact and arXiv dev, which `--write`
ships as `cross-encoder__judge-minilm.json`. Printed: ECE, accuracy and macro-F1 per suite and pooled,
raw and calibrated; the pooled reliability diagram goes to `OUT/reliability.png`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from agent.claims.calibration import CalibrationMap, calibration_path
from agent.claims.judging import CROSS_ENCODER
from agent.records import VERDICTS
from evals.calibrate import calibrated_probabilities, fit_bias_and_temperature, summary
from evals.judge_data import FOLDS, JudgePair, arxiv_suite_pairs, real_pairs
from evals.metrics import summarize
from evals.plots import reliability_diagram

TEMPERATURE_RANGE = (0.3, 5.0)
BIAS_RANGE = (-3.0, 3.0)


def _log(probabilities: np.ndarray) -> np.ndarray:
    return np.log(np.clip(probabilities, 1e-6, 1.0))


def shipped_probabilities(pairs: list[JudgePair]) -> np.ndarray:
    from tools.judge import load_judge

    judge = load_judge()
    return np.array([[judge.probabilities(p.claim, [p.passage])[0][v] for v in VERDICTS] for p in pairs])


def fit(log_probs: np.ndarray, gold: list[int]) -> tuple[np.ndarray, float, dict[str, float]]:
    bias, temperature = fit_bias_and_temperature(log_probs, gold, TEMPERATURE_RANGE, BIAS_RANGE)
    return np.array([bias[v] for v in VERDICTS]), temperature, bias


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--oof", type=Path, default=Path("runs/train-judge/all/oof.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("runs/judge-calibration"))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    oof = [json.loads(line) for line in args.oof.read_text(encoding="utf-8").splitlines()]
    sci_log = _log(np.array([[row["probabilities"][v] for v in VERDICTS] for row in oof]))
    sci_gold = [VERDICTS.index(row["label"]) for row in oof]
    sci_fold = np.array([row["fold"] for row in oof])
    _, real_held_out = real_pairs()
    others = {"arxiv-dev": arxiv_suite_pairs("dev"), "arxiv-test": arxiv_suite_pairs("test"),
              "real-held-out": real_held_out}
    other_log = {name: _log(shipped_probabilities(pairs)) for name, pairs in others.items()}
    other_gold = {name: [VERDICTS.index(p.label) for p in pairs] for name, pairs in others.items()}

    calibrated_sci = np.zeros_like(sci_log)
    for fold in range(FOLDS):
        rest = sci_fold != fold
        bias, temperature, _ = fit(np.vstack([sci_log[rest], other_log["arxiv-dev"]]),
                                   [g for g, r in zip(sci_gold, rest, strict=True) if r] + other_gold["arxiv-dev"])
        calibrated_sci[~rest] = calibrated_probabilities(sci_log[~rest], bias, temperature)
    bias, temperature, bias_named = fit(np.vstack([sci_log, other_log["arxiv-dev"]]),
                                        sci_gold + other_gold["arxiv-dev"])
    held_out = {"scifact (cross-fitted)": (sci_log, calibrated_sci, sci_gold)}
    for name in ("arxiv-test", "real-held-out"):
        held_out[name] = (other_log[name], calibrated_probabilities(other_log[name], bias, temperature),
                          other_gold[name])
    report: dict = {"map": {"bias": bias_named, "temperature": temperature}}
    pooled_raw, pooled_cal, pooled_gold = [], [], []
    for name, (log_probs, calibrated, gold) in held_out.items():
        raw = calibrated_probabilities(log_probs, np.zeros(3), 1.0)
        report[name] = {"raw": summary(raw, gold), "calibrated": summary(calibrated, gold), "n": len(gold)}
        pooled_raw.append(raw)
        pooled_cal.append(calibrated)
        pooled_gold += gold
        print(f"{name:<24} n={len(gold):<5} raw ECE {report[name]['raw']['ece']:.3f} → calibrated "
              f"{report[name]['calibrated']['ece']:.3f}  (accuracy {report[name]['calibrated']['accuracy']:.3f})")
    raw, calibrated = np.vstack(pooled_raw), np.vstack(pooled_cal)
    report["pooled"] = {"raw": summary(raw, pooled_gold), "calibrated": summary(calibrated, pooled_gold),
                        "n": len(pooled_gold)}
    print(f"{'pooled':<24} n={len(pooled_gold):<5} raw ECE {report['pooled']['raw']['ece']:.3f} → calibrated "
          f"{report['pooled']['calibrated']['ece']:.3f}")
    names = [VERDICTS[i] for i in pooled_gold]
    metrics = summarize(names, [VERDICTS[i] for i in calibrated.argmax(1)], calibrated.max(1).tolist())
    reliability_diagram(metrics["reliability"], metrics["ece"], f"cross-encoder judge · held-out · n={len(names)}",
                        args.out / "reliability.png")
    report["reliability"] = metrics["reliability"]
    (args.out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.write:
        provider, model = CROSS_ENCODER
        calibration = CalibrationMap(provider=provider, model=model, bias=bias_named, temperature=temperature,
                                     fitted_on="SciFact train (out-of-fold) + arxiv-claims/dev", n=len(sci_gold)
                                     + len(other_gold["arxiv-dev"]), fit_metrics={"held_out_pooled": report["pooled"]})
        path = calibration_path(provider, model)
        path.write_text(calibration.model_dump_json(indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
