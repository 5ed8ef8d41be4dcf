"""What an experiment will cost, for the approval question (not for billing)."""

from __future__ import annotations

from dataclasses import dataclass

from tools.experiments.data import load_transfer_data
from tools.experiments.spec import ExperimentSpec

# Rough examples per second (train, eval) by model size.
# CPU small: measured on 2 cores with e5-small, the machine otherwise idle, at the claim-test defaults
# (2026-12-07: 1,800 training examples a seed in 193 s, 1,500 evaluations in 66 s; the earlier 17 and 60 a
# second made the claim tests' estimates half their wall time). base and large: scaled by parameter count.
_THROUGHPUT = {"gpu": {"small": (400.0, 3000.0), "base": (150.0, 1200.0), "large": (50.0, 400.0)},
               "cpu": {"small": (9.5, 23.0), "base": (3.4, 7.7), "large": (1.1, 2.3)}}


def _size(model: str) -> str:
    name = model.lower()
    return "large" if "large" in name else "small" if "small" in name else "base"


@dataclass(frozen=True)
class CostEstimate:
    minutes: float
    gpu_minutes: float
    train_examples: int
    eval_examples: int

    def describe(self) -> str:
        where = f"{self.gpu_minutes:.0f} GPU-minutes" if self.gpu_minutes else f"{self.minutes:.0f} CPU-minutes"
        return f"about {where} ({self.train_examples} training and {self.eval_examples} evaluation examples per seed)"


def estimate_cost(spec: ExperimentSpec) -> CostEstimate:
    data = load_transfer_data(spec)
    train = len(data.train)
    evaluation = sum(len(v) for v in data.eval.values())
    train_rate, eval_rate = _THROUGHPUT["gpu" if spec.resources.gpus else "cpu"][_size(spec.model)]
    seconds = len(spec.seeds) * (train * spec.hyper_parameters.epochs / train_rate + evaluation / eval_rate) + 60
    minutes = round(seconds / 60, 1)
    return CostEstimate(minutes=minutes, gpu_minutes=round(minutes * spec.resources.gpus, 1),
                        train_examples=train, eval_examples=evaluation)
