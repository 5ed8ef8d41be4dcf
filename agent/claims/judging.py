"""Which judge labels a claim–passage pair, and how the judges and the program's signals are combined.

Judges (`Settings.judge`):
- `llm`: the provider's first-token label probabilities on the whole passage (`prompts/judge.j2`).
- `cross-encoder`: the MiniLM cross-encoder trained in this project (`tools/judge`, `evals/train_judge.py`),
  stacked with the program's signals when such a stack is shipped (`cross-encoder__judge-minilm.stack.json`).
  About 0.4-1.3 s a passage in numpy on 2 cores; it follows no instruction a passage plants.
- `stack`: the LLM's probabilities on the passage's sentences closest to the claim (`tools/judge/window.py`),
  the cross-encoder's, and the program's signals (`tools/judge/signals.py`: negation, direction and number
  mismatches with the closest sentence, and the table reader's verdict), combined by a multinomial logistic
  regression fitted on labelled judgments (`evals/stack_judge.py`), shipped per provider and model as
  `<provider>__<model>.stack.json`.
- `auto` (the default): the stack where one is fitted for the provider and model, else the LLM.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from agent.claims.calibration import CALIBRATION_DIR, calibration_path
from agent.records import VERDICTS
from tools.judge.signals import PairSignals

CROSS_ENCODER = ("cross-encoder", "judge-minilm")  # (provider, model) its calibration maps are filed under
_FLOOR = 1e-6
_SHORT = {"SUPPORTED": "S", "REFUTED": "R", "NOT_ENOUGH_INFO": "N"}
# signals that matter only when the closest sentence is about the claim's subject
INTERACTIONS = ("negation_mismatch", "direction_conflict", "number_unmatched")


def stack_features(cross_encoder: dict[str, float] | None, llm: dict[str, float] | None,
                   signals: PairSignals | None) -> dict[str, float]:
    """Every feature a stack may use, by name: each judge's log-probabilities, the signals, and the mismatch
    signals weighted by how much of the claim the closest sentence shares."""
    features: dict[str, float] = {}
    for judge, probabilities in (("ce", cross_encoder), ("llm", llm)):
        if probabilities:
            features.update({f"{judge}:{_SHORT[v]}": math.log(max(probabilities.get(v, 0.0), _FLOOR))
                             for v in VERDICTS})
    if signals is not None:
        values = dict(zip(signals.__dataclass_fields__, signals.vector(), strict=True))
        features.update(values)
        features.update({f"{name}*overlap": values[name] * values["best_overlap"] for name in INTERACTIONS})
    return features


class StackMap(BaseModel):
    """P(label) = softmax(W · [standardised features, 1]), one row of W per label (in `VERDICTS` order)."""

    provider: str
    model: str
    features: list[str]
    center: list[float]
    scale: list[float]
    weights: list[list[float]] = Field(description="3 rows of len(features) + 1 (the last is the bias)")
    llm_view: str = Field("window", description="what the LLM reads: 'window' (closest sentences) or 'passage'")
    fitted_on: str
    n: int
    fit_metrics: dict = Field(default_factory=dict)

    @property
    def uses_llm(self) -> bool:
        return any(name.startswith("llm:") for name in self.features)

    @property
    def uses_cross_encoder(self) -> bool:
        return any(name.startswith("ce:") for name in self.features)

    def apply(self, features: dict[str, float]) -> dict[str, float]:
        x = [(features.get(name, 0.0) - c) / s for name, c, s in zip(self.features, self.center, self.scale,
                                                                      strict=True)] + [1.0]
        logits = [sum(w * f for w, f in zip(row, x, strict=True)) for row in self.weights]
        top = max(logits)
        exps = [math.exp(value - top) for value in logits]
        return {label: e / sum(exps) for label, e in zip(VERDICTS, exps, strict=True)}


def stack_path(provider: str, model: str, directory: Path = CALIBRATION_DIR) -> Path:
    return calibration_path(provider, model, directory, kind="stack")


@lru_cache(maxsize=8)
def load_stack(provider: str, model: str) -> StackMap | None:
    path = stack_path(provider, model)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return StackMap.model_validate(data) if "features" in data else None  # an older two-judge stack: not used


def resolve_judge(setting: str, provider_name: str, model: str) -> str:
    """The judge `auto` stands for with this provider and model (see the module's docstring)."""
    if setting != "auto":
        return setting
    return "stack" if load_stack(provider_name, model) is not None else "llm"
