"""Calibration of the verifier's label probabilities, fitted per provider and model.

The judge's raw first-token label probabilities lean hard towards NOT_ENOUGH_INFO and are not
calibrated. A `CalibrationMap` shifts each label's log-probability by a fitted bias and divides by a
fitted temperature, `p' = softmax((log p + b) / T)`, so that the confidence of the chosen label is the
probability that it is right. Maps are fitted on a labelled dev suite (`agent eval calibrate`) and
shipped in `agent/claims/calibrations/<provider>__<model>.json`.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from agent.records import VERDICTS

CALIBRATION_DIR = Path(__file__).parent / "calibrations"
_FLOOR = 1e-6


class CalibrationMap(BaseModel):
    provider: str
    model: str
    bias: dict[str, float] = Field(description="added to each label's log-probability")
    temperature: float = Field(gt=0)
    fitted_on: str = Field(description="the suite and run it was fitted on")
    n: int = Field(description="judgments it was fitted on")
    fit_metrics: dict = Field(default_factory=dict, description="on the fitting set, before and after")

    def apply(self, probabilities: dict[str, float]) -> dict[str, float]:
        logits = {label: (math.log(max(probabilities.get(label, 0.0), _FLOOR)) + self.bias.get(label, 0.0))
                  / self.temperature for label in VERDICTS}
        top = max(logits.values())
        weights = {label: math.exp(value - top) for label, value in logits.items()}
        total = sum(weights.values())
        return {label: weights[label] / total for label in VERDICTS}


def calibration_path(provider: str, model: str, directory: Path = CALIBRATION_DIR, kind: str | None = None) -> Path:
    """`<provider>__<model>.json`, the map fitted on a SciFact-layout dev suite (`agent verify`, the eval suites);
    `<provider>__<model>.<kind>.json`, one fitted on labelled pairs of one judgment kind (`faithfulness`: a
    claim against its own quote; `corroboration`: against another paper, as the library returns them)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{provider}__{Path(model).name}")
    return directory / (f"{safe}.{kind}.json" if kind else f"{safe}.json")


@lru_cache(maxsize=16)
def load_calibration(provider: str, model: str, kind: str | None = None) -> CalibrationMap | None:
    path = calibration_path(provider, model, kind=kind)
    if not path.exists():
        return None
    return CalibrationMap.model_validate(json.loads(path.read_text(encoding="utf-8")))
