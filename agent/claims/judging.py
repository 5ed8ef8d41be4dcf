"""Which judge labels a claim–passage pair, and how two judges' probabilities are combined.

Judges (`Settings.judge`):
- `cross-encoder`: the MiniLM cross-encoder trained in this project (`tools/judge`, `evals/train_judge.py`):
  about 0.4-1.3 s a passage in numpy on 2 cores (the sentence window included), and it follows no
  instruction a passage plants.
- `llm`: the provider's first-token label probabilities (`prompts/judge.j2`).
- `stack`: both, combined by a multinomial logistic regression over their log-probabilities fitted on dev
  judgments (`evals/stack_judge.py`), shipped per provider and model as `<provider>__<model>.stack.json`.
- `auto` (the default): the stack where one is fitted for the provider and model, else the LLM. The
  cross-encoder alone is weaker than the embedded LLM on human-written claims (SciFact, 5-fold: macro-F1 0.45
  against 0.61), so it is never the default on its own; it is the fast and instruction-deaf option.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from agent.claims.calibration import CALIBRATION_DIR, calibration_path
from agent.records import VERDICTS

CROSS_ENCODER = ("cross-encoder", "judge-minilm")  # (provider, model) its calibration maps are filed under
_FLOOR = 1e-6


class StackMap(BaseModel):
    """logits = W · [log p_cross_encoder, log p_llm, 1], one row of W per label (in `VERDICTS` order)."""

    provider: str
    model: str
    weights: list[list[float]] = Field(description="3 rows of 7: cross-encoder log-probs, LLM log-probs, bias")
    fitted_on: str
    n: int
    fit_metrics: dict = Field(default_factory=dict)

    def apply(self, cross_encoder: dict[str, float], llm: dict[str, float]) -> dict[str, float]:
        features = [math.log(max(cross_encoder.get(v, 0.0), _FLOOR)) for v in VERDICTS]
        features += [math.log(max(llm.get(v, 0.0), _FLOOR)) for v in VERDICTS] + [1.0]
        logits = [sum(w * f for w, f in zip(row, features, strict=True)) for row in self.weights]
        top = max(logits)
        exps = [math.exp(value - top) for value in logits]
        return {label: e / sum(exps) for label, e in zip(VERDICTS, exps, strict=True)}


def stack_path(provider: str, model: str, directory: Path = CALIBRATION_DIR) -> Path:
    return calibration_path(provider, model, directory, kind="stack")


@lru_cache(maxsize=8)
def load_stack(provider: str, model: str) -> StackMap | None:
    path = stack_path(provider, model)
    return StackMap.model_validate(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


def resolve_judge(setting: str, provider_name: str, model: str) -> str:
    """The judge `auto` stands for with this provider and model (see the module's docstring)."""
    if setting != "auto":
        return setting
    return "stack" if load_stack(provider_name, model) is not None else "llm"

