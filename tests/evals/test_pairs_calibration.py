"""Calibration per judgment kind: the split by question, and a fit that stays sane with rare labels."""

import math

import numpy as np

from evals.calibrate import fit_bias_and_temperature
from evals.pairs_calibration import PAIRS, load_pairs, question_splits


def test_the_shipped_pairs_are_labelled_and_split_by_question_with_decisive_ones_on_both_sides():
    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 300 and all(p["label"] in ("S", "R", "N") for p in pairs)
    pairs = [p for p in pairs if p["kind"] == "corroboration"]
    splits = question_splits(pairs)
    assert set(splits.values()) == {"fit", "held_out"}
    decisive = {splits[p["question"]] for p in pairs if p["label"] != "N"}
    assert decisive == {"fit", "held_out"}, "both halves hold supported pairs"


def test_bounds_keep_a_label_never_seen_possible():
    log_probs = np.log(np.array([[0.2, 0.1, 0.7]] * 40 + [[0.7, 0.1, 0.2]] * 2))
    gold = [2] * 40 + [0] * 2  # no REFUTED example at all
    bias, temperature = fit_bias_and_temperature(log_probs, gold, (0.5, 5.0), (-3.0, 3.0))
    assert -3.0 <= bias["REFUTED"] and 0.5 <= temperature <= 5.0 and math.isfinite(temperature)
