"""One claim–passage pair through the judge in use (`agent/claims/judging.py` says which and why)."""

from __future__ import annotations

from dataclasses import dataclass

from agent.records import VERDICTS
from agent.services import Services
from prompts import render


@dataclass
class PairJudgment:
    """Each judge's probabilities for one claim–passage pair, and the combination the verifier uses."""

    combined: dict[str, float]
    llm: dict[str, float] | None = None
    cross_encoder: dict[str, float] | None = None

    def rounded(self) -> dict[str, dict[str, float]]:
        return {name: {k: round(v, 6) for k, v in probs.items()}
                for name, probs in (("llm", self.llm), ("cross_encoder", self.cross_encoder)) if probs}


def judge_pair(claim: str, title: str, passage: str, services: Services) -> PairJudgment:
    """The judge in use (`services.judge_name`) on one pair."""
    name = services.judge_name
    llm = cross_encoder = None
    if name in ("llm", "stack"):
        llm, _mass = services.provider.label_probs(render("judge", claim=claim, title=title, passage=passage),
                                                   VERDICTS)
    if name in ("cross-encoder", "stack"):
        cross_encoder = services.cross_encoder.probabilities(claim, [passage])[0]
    if name == "stack" and services.stack is not None:
        combined = services.stack.apply(cross_encoder, llm)
    else:
        combined = llm or cross_encoder  # a stack asked for but not fitted: the LLM, the better judge alone
    return PairJudgment(combined=combined, llm=llm, cross_encoder=cross_encoder)


def entailment_probability(sentence: str, passage: str, services: Services, title: str = "claims cited") -> float:
    """P(the passage entails the sentence), from the judge in use, calibrated as the verifier's default kind."""
    combined = judge_pair(sentence, title, passage, services).combined
    calibration = services.calibration_for(None)
    return (calibration.apply(combined) if calibration else combined)["SUPPORTED"]
