"""Calibration per judgment kind, on hand-labelled pairs of what the verifier really meets.

    python -m evals.pairs_calibration            # judge the pairs (once; cached), fit on one half, score both
    python -m evals.pairs_calibration --write    # and ship the fitted maps beside the default one

Pairs: `evals/suites/judgment-pairs/pairs.jsonl` (how they were made and labelled: that folder's README).
The judge sees each pair as the verifier shows it (`prompts/judge.j2`: the other paper's abstract, the claim);
its raw first-token probabilities are cached in `runs/judgment-pairs/raw.jsonl`. Pairs are split by question
(`question_splits`: alternating, stratified by whether a question has a supported or contradicted pair), and
the temperature is bounded to [0.5, 5] and each bias to [-3, 3]: decisive labels are rare (no contradiction in
325 corroboration pairs), and unbounded, the fit learns that a label it never saw never occurs. Reported per
kind and half, before and after calibration: macro-F1, accuracy, ECE; for corroboration also on the pairs
through the relevance gate (the only ones judged in a run).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from agent.claims.calibration import CalibrationMap, calibration_path
from agent.records import VERDICTS
from agent.services import Services
from agent.settings import load_settings
from evals.calibrate import calibrated_probabilities, fit_bias_and_temperature, summary
from prompts import render

PAIRS = Path(__file__).parent / "suites" / "judgment-pairs" / "pairs.jsonl"
LABEL_NAMES = {"S": "SUPPORTED", "R": "REFUTED", "N": "NOT_ENOUGH_INFO"}


def load_pairs(path: Path = PAIRS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def judge_pairs(pairs: list[dict], services: Services, cache: Path) -> dict[str, dict[str, float]]:
    """Raw label probabilities per pair id, judged in passage order (the KV cache keeps each abstract's prefix)."""
    raw: dict[str, dict[str, float]] = {}
    if cache.exists():
        raw = {row["id"]: row["raw"] for row in map(json.loads, cache.read_text().splitlines())}
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("a", encoding="utf-8") as out:
        for pair in sorted(pairs, key=lambda p: (p["passage_paper"], p["id"])):
            if pair["id"] in raw:
                continue
            probabilities, _ = services.provider.label_probs(
                render("judge", claim=pair["claim"], title=pair.get("passage_title", pair["passage_paper"]),
                       passage=pair["passage"]), VERDICTS)
            raw[pair["id"]] = probabilities
            out.write(json.dumps({"id": pair["id"], "raw": probabilities}) + "\n")
            out.flush()
    return raw


TEMPERATURE_RANGE = (0.5, 5.0)
BIAS_RANGE = (-3.0, 3.0)


def question_splits(pairs: list[dict]) -> dict[str, str]:
    """Questions of one kind's pairs alternate between the halves, those holding a pair of a minority label
    (for corroboration: supported or contradicted) apart from the rest: stratified by question, so no claim or
    abstract of one half is judged in the other's questions."""
    labels = [p["label"] for p in pairs]
    majority = max(set(labels), key=labels.count)
    decisive = sorted({p["question"] for p in pairs if p["label"] != majority})
    rest = sorted({p["question"] for p in pairs} - set(decisive))
    return {q: ("fit" if i % 2 == 0 else "held_out") for group in (decisive, rest) for i, q in enumerate(group)}


def _arrays(pairs: list[dict], raw: dict) -> tuple[np.ndarray, list[int]]:
    log_probs = np.array([[math.log(max(raw[p["id"]].get(v, 0.0), 1e-6)) for v in VERDICTS] for p in pairs])
    return log_probs, [VERDICTS.index(LABEL_NAMES[p["label"]]) for p in pairs]


def _scores(of_kind: list[dict], splits: dict[str, str], raw: dict, default: CalibrationMap | None,
            fitted: tuple[dict[str, float], float] | None) -> dict:
    rows = {}
    for half in ("fit", "held_out"):
        for gated in (False, True):
            chosen = [p for p in of_kind if splits[p["question"]] == half and (p.get("same_subject") or not gated)]
            if not chosen or (gated and "same_subject" not in chosen[0]):
                continue
            log_probs, gold = _arrays(chosen, raw)
            name = f"{half}{' · through the gate' if gated else ''} (n={len(chosen)})"
            rows[name] = {
                "raw": summary(calibrated_probabilities(log_probs, np.zeros(3), 1.0), gold),
                "shipped default map": summary(np.array([[default.apply(raw[p["id"]])[v] for v in VERDICTS]
                                                         for p in chosen]), gold) if default else None,
                "fitted for this kind": summary(calibrated_probabilities(
                    log_probs, np.array([fitted[0][v] for v in VERDICTS]), fitted[1]), gold) if fitted else None,
                "labels": {v: gold.count(i) for i, v in enumerate(VERDICTS)},
            }
    return rows


def _print(rows: dict) -> None:
    for name, row in rows.items():
        print(f"  {name}  labels {row['labels']}")
        for variant in ("raw", "shipped default map", "fitted for this kind"):
            if row[variant]:
                s = row[variant]
                print(f"    {variant:<22} macro-F1 {s['macro_f1']:.3f}  accuracy {s['accuracy']:.3f}  "
                      f"ECE {s['ece']:.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--out", type=Path, default=Path("runs/judgment-pairs"))
    parser.add_argument("--write", action="store_true", help="Ship the fitted maps in agent/claims/calibrations/.")
    args = parser.parse_args(argv)
    services = Services(settings=load_settings(offline=True))
    pairs = [p for p in load_pairs(args.pairs) if p.get("label")]
    raw = judge_pairs(pairs, services, args.out / "raw.jsonl")
    default = services.calibration
    report: dict = {"model": services.provider.model, "n_pairs": len(pairs)}
    for kind in sorted({p["kind"] for p in pairs}):
        of_kind = [p for p in pairs if p["kind"] == kind]
        splits = question_splits(of_kind)
        fit = [p for p in of_kind if splits[p["question"]] == "fit"]
        fit_log, fit_gold = _arrays(fit, raw)
        if len(set(fit_gold)) < 2:  # one label only: a fit would learn that the judge should always say it
            report[kind] = {"map": None, "scores": _scores(of_kind, splits, raw, default, None)}
            print(f"\n{kind}: every pair is {VERDICTS[fit_gold[0]] if fit_gold else '-'}; no map fitted")
            _print(report[kind]["scores"])
            continue
        bias, temperature = fit_bias_and_temperature(fit_log, fit_gold, TEMPERATURE_RANGE, BIAS_RANGE)
        kind_map = CalibrationMap(provider=services.provider.name, model=services.provider.model, bias=bias,
                                  temperature=temperature, fitted_on=f"{args.pairs} ({kind}, fit half)", n=len(fit))
        rows = _scores(of_kind, splits, raw, default, (bias, temperature))
        report[kind] = {"map": kind_map.model_dump(), "scores": rows}
        print(f"\n{kind}: fitted on {len(fit)} pairs (bias {', '.join(f'{k} {v:+.2f}' for k, v in bias.items())}, "
              f"T {temperature:.2f})")
        _print(rows)
        if args.write:
            path = calibration_path(services.provider.name, services.provider.model, kind=kind)
            path.write_text(kind_map.model_dump_json(indent=2) + "\n", encoding="utf-8")
            print(f"  wrote {path}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
