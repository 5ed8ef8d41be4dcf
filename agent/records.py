"""Typed records that flow through the graphs: structured model outputs, claims, evidence, verdicts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, create_model

Verdict = Literal["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
VERDICTS: tuple[Verdict, ...] = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
ClaimKind = Literal["result", "method", "dataset", "comparison"]
# How a claim bears on the research question: a finding about its focus, about a neighbouring setting (same
# task, method or languages), or only context for it.
Relevance = Literal["direct", "related", "background"]
RELEVANCES: tuple[Relevance, ...] = ("direct", "related", "background")
# What a reader sees of a claim: other papers support it, some other paper contradicts it, or only its own
# source states it.
Standing = Literal["corroborated", "contested", "single-source"]


# -- structured outputs the model fills (their JSON schemas constrain decoding) ---------------------
# Strings carry generous length bounds: a small model can loop inside a string until it runs out of
# tokens, and the bound makes the grammar close it. Code that reads these treats a string that hit
# its bound without ending a sentence as truncated and drops it, never shows it.
MAX_CLAIM_CHARS = 400
# A claim a user gives to be checked (`agent verify`, the chat): one claim, not a text.
MAX_USER_CLAIM_CHARS = 1000
MAX_TEXT_CHARS = 800
SearchQuery = Annotated[str, Field(max_length=150)]


class SearchPlan(BaseModel):
    """One query per angle: a small model asked for "4 queries" tends to write one query four times."""

    sub_questions: list[Annotated[str, Field(max_length=300)]] = Field(min_length=2, max_length=4)
    method_query: SearchQuery = Field(description="the method, intervention or technique the question is about")
    task_query: SearchQuery = Field(description="the task, benchmark or dataset")
    setting_query: SearchQuery = Field(description="the languages, domain or setting")
    broad_query: SearchQuery = Field(description="the overall research area")
    extra_queries: list[SearchQuery] = Field(default_factory=list, max_length=2)

    @property
    def queries(self) -> list[str]:
        return [self.method_query, self.task_query, self.setting_query, self.broad_query, *self.extra_queries]


class ExtractedClaim(BaseModel):
    sentence: int = Field(description="number of the abstract sentence the claim comes from")
    claim: str = Field(max_length=MAX_CLAIM_CHARS, description="one self-contained factual claim, a complete sentence")
    kind: ClaimKind


class ExtractionOutput(BaseModel):
    claims: list[ExtractedClaim] = Field(max_length=10)


def extraction_output_for(limit: int) -> type[ExtractionOutput]:
    """`ExtractionOutput` allowing at most `limit` claims (the grammar stops the model there)."""
    return create_model("ExtractionOutput", __base__=ExtractionOutput,
                        claims=(list[ExtractedClaim], Field(max_length=limit)))


class Finding(BaseModel):
    statement: str = Field(
        max_length=MAX_TEXT_CHARS, description="one finding of the papers that bears on the question"
    )
    claim_ids: list[str] = Field(min_length=1, max_length=4, description="ids of the claims that back it")


class SynthesisOutput(BaseModel):
    question_focus: str = Field(max_length=150,
                                description="the specific method, intervention or setting the question asks about")
    focus_claim_ids: list[str] = Field(max_length=8, description="claims that explicitly study that focus")
    direct_answer: str = Field(max_length=MAX_TEXT_CHARS, description="one or two sentences answering the question")
    findings: list[Finding] = Field(min_length=1, max_length=6)
    not_settled: list[Annotated[str, Field(max_length=MAX_TEXT_CHARS)]] = Field(
        max_length=4, description="what the claims do not settle")


def synthesis_output_for(claim_ids: list[str]) -> type[SynthesisOutput]:
    """`SynthesisOutput` whose citations are constrained to the ids of this run's claims."""
    ClaimId = Literal[tuple(claim_ids)]  # type: ignore[valid-type]
    finding = create_model("Finding", __base__=Finding, claim_ids=(list[ClaimId], Field(min_length=1, max_length=4)))
    return create_model("SynthesisOutput", __base__=SynthesisOutput,
                        focus_claim_ids=(list[ClaimId], Field(max_length=8)),
                        findings=(list[finding], Field(min_length=1, max_length=6)))


ExperimentLanguage = Literal["en", "fr", "es", "de", "el", "bg", "ru", "tr", "ar", "vi", "th", "zh", "hi", "sw", "ur",
                             "ja", "ko"]


class ExperimentProposal(BaseModel):
    """The only spec fields the model may choose; everything else comes from the defaults and the user."""

    run_experiment: bool = Field(description="true only if a zero-shot transfer run would help answer the question")
    task: Literal["xnli", "pawsx"]
    eval_languages: list[ExperimentLanguage] = Field(min_length=1, max_length=6)
    reason: str = Field(max_length=300)


class ClaimTestProposal(BaseModel):
    """The model's reading of which comparison a claim about cross-lingual transfer predicts. The program
    (`agent/experiments/claim_tests.py`) decides whether, and how, the worker can run it."""

    comparison: Literal["target_languages", "source_languages", "training_size", "none"] = Field(
        description="target_languages: transfer TO some languages is better than to others; source_languages: "
                    "training ON some languages transfers better than on others; training_size: more training "
                    "data narrows the gap to English; none: no such comparison")
    better: list[ExperimentLanguage] = Field(default_factory=list, max_length=6,
                                             description="the languages the claim says do better")
    worse: list[ExperimentLanguage] = Field(default_factory=list, max_length=6,
                                            description="the languages the claim says do worse")


# -- records the graphs keep --------------------------------------------------------------------
class ClaimSource(BaseModel):
    paper_id: str
    quote: str = Field(description="the exact sentence(s) of that paper")


class Claim(BaseModel):
    id: str = ""
    text: str
    paper_id: str
    quote: str = Field(description="the exact sentence(s) of the paper the claim rests on")
    kind: ClaimKind = "result"
    relevance: Relevance = "related"
    relevance_score: float = Field(0.0, description="P(direct) + P(related)/2 for the question (label probabilities)")
    rewritten_from: str | None = Field(None, description="the extracted wording, when its own quote did not entail "
                                                         "it and the claim was rewritten to the quote")
    also_in: list[ClaimSource] = Field(
        default_factory=list, description="other papers stating the same finding (near-duplicates merged)")
    rank: tuple[int, int] = Field((0, 0), exclude=True, description="(paper rank, order in paper) for stable ids")


class Evidence(BaseModel):
    paper_id: str
    quote: str = Field(description="verbatim sentence(s) of the passage most relevant to the claim")
    stance: Verdict
    probabilities: dict[str, float] = Field(default_factory=dict, description="calibrated when a map exists")
    raw_probabilities: dict[str, float] = Field(default_factory=dict, description="the model's own, for refitting")
    judge_probabilities: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="each judge's own probabilities (llm, cross_encoder) before combining")
    is_source: bool = False
    same_subject: bool = Field(True, description="for another paper's passage: it is about the claim's subject "
                                                 "(only those can support or contradict it)")
    screened_out: list[str] = Field(
        default_factory=list,
        description="sentences of the passage addressed to an AI system (planted instructions), not shown to the judge",
    )


class VerifiedClaim(Claim):
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)
    calibrated: bool = False
    faithfulness: float | None = Field(None, description="P(the claim's own quote entails it); None without a quote")
