"""One claim–passage pair through the judge in use (`agent/claims/judging.py` says which and why)."""

from __future__ import annotations

from dataclasses import dataclass

from agent.claims.judging import stack_features
from agent.records import VERDICTS
from agent.services import Services
from prompts import render
from tools.judge.signals import pair_signals


@dataclass
class PairJudgment:
    """Each judge's probabilities for one claim–passage pair, and the combination the verifier uses."""

    combined: dict[str, float]
    llm: dict[str, float] | None = None
    cross_encoder: dict[str, float] | None = None

    def rounded(self) -> dict[str, dict[str, float]]:
        return {name: {k: round(v, 6) for k, v in probs.items()}
                for name, probs in (("llm", self.llm), ("cross_encoder", self.cross_encoder)) if probs}


def llm_probabilities(claim: str, title: str, passage: str, services: Services) -> dict[str, float]:
    return services.provider.label_probs(render("judge", claim=claim, title=title, passage=passage), VERDICTS)[0]


def judge_pair(claim: str, title: str, passage: str, services: Services) -> PairJudgment:
    """The judge in use (`services.judge_name`) on one pair."""
    name, stack = services.judge_name, services.stack
    if name == "llm" or (name == "stack" and stack is None):  # a stack asked for but not fitted: the LLM
        probabilities = llm_probabilities(claim, title, passage, services)
        return PairJudgment(combined=probabilities, llm=probabilities)
    judge = services.cross_encoder
    match = judge.match(claim, passage)
    window = match.window(judge.window_sentences)
    cross_encoder = judge.window_probabilities(claim, [window])[0]
    if stack is None:  # the cross-encoder alone
        return PairJudgment(combined=cross_encoder, cross_encoder=cross_encoder)
    llm = None
    if stack.uses_llm:  # untitled, as the stack's fitting judgments were asked (`evals/llm_judgments.py`)
        llm = llm_probabilities(claim, "", window if stack.llm_view == "window" else passage, services)
    combined = stack.apply(stack_features(cross_encoder, llm, pair_signals(claim, match)))
    return PairJudgment(combined=combined, llm=llm, cross_encoder=cross_encoder)


def entailment_probability(sentence: str, passage: str, services: Services, title: str = "claims cited") -> float:
    """P(the passage entails the sentence), from the judge in use, calibrated as the verifier's default kind."""
    combined = judge_pair(sentence, title, passage, services).combined
    calibration = services.calibration_for(None)
    return (calibration.apply(combined) if calibration else combined)["SUPPORTED"]
