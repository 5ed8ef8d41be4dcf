"""The report model: `report.json` is the machine-readable truth; Markdown and HTML are renderings of it.

`python -m agent.report.model` writes the JSON schema to `agent/report/schema.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from agent.errors import InputError
from agent.records import ClaimSource, Relevance, Standing, Verdict
from tools.papers import Paper

SCHEMA_PATH = Path(__file__).parent / "schema.json"


class ReportPaper(BaseModel):
    id: str
    title: str
    authors: list[str]
    year: int | None
    url: str
    categories: list[str] = Field(default_factory=list, description="arXiv categories, the primary one first")
    bib_entry: dict[str, str] = Field(default_factory=dict, description="the reference manager's BibTeX entry "
                                                                        "the paper was imported from, if any")

    @classmethod
    def of(cls, paper: Paper) -> "ReportPaper":
        return cls(id=paper.id, title=paper.title, authors=paper.authors, year=paper.year, url=paper.url,
                   categories=paper.categories, bib_entry=paper.bib_entry)

    @property
    def venue(self) -> str:
        """Where a paper imported from a reference manager appeared (journal, proceedings, publisher)."""
        entry = self.bib_entry
        return next((entry[f] for f in ("journal", "journaltitle", "booktitle", "publisher", "institution",
                                        "school") if entry.get(f)), "")


class ReportEvidence(BaseModel):
    """One passage judged for a claim. `label` is what a reader sees: the own source entails / does not entail
    the claim; another paper supports / contradicts it, or is unrelated."""

    paper_id: str
    quote: str
    stance: Verdict
    probabilities: dict[str, float] = Field(default_factory=dict)
    is_source: bool = Field(False, description="the claim's own paper (its stance is faithfulness, not corroboration)")
    same_subject: bool = Field(True, description="another paper's passage about the claim's subject; False: "
                                                 "unrelated, not judged")
    screened_out: list[str] = Field(default_factory=list, description="sentences of the paper addressed to an AI "
                                                                      "system, removed before it was judged")

    @property
    def label(self) -> str:
        if self.is_source:
            return "entails" if self.stance == "SUPPORTED" else "does not entail"
        if not self.same_subject:
            return "unrelated"
        return {"SUPPORTED": "supports", "REFUTED": "contradicts"}.get(self.stance, "unrelated")


class BaselineNumber(BaseModel):
    model: str
    accuracy: float = Field(ge=0.0, le=1.0)
    source: str = Field(description="where the number is published")
    split: str = Field("test", description="the split the published number is on")


class TestedAccuracy(BaseModel):
    """One language of one run of a claim's test: accuracy over its seeds."""

    run: str = Field(description="which condition, e.g. 'trained on de'")
    job_id: str
    language: str
    mean: float = Field(ge=0.0, le=1.0)
    sd: float = Field(ge=0.0, description="standard deviation over seeds")
    seeds: int
    published: BaselineNumber | None = None


class ClaimTestEvidence(BaseModel):
    """A claim tested by running its experiment: evidence of its own kind, shown beside the literature's and
    never merged into the verdict."""

    source: Literal["experiment"] = "experiment"
    claim_id: str
    outcome: Literal["reproduced", "not reproduced", "inconclusive", "failed"] = Field(
        description="reproduced: the predicted direction holds beyond noise (95% interval above 0); not "
                    "reproduced: it reverses beyond noise; inconclusive: within noise; failed: a run failed")
    comparison: str
    prediction: str
    effect: float | None = Field(None, description="the predicted contrast, in accuracy points of [0, 1]; > 0 "
                                                   "is the claim's direction")
    ci_low: float | None = None
    ci_high: float | None = None
    seeds_agreeing: int = Field(0, description="seeds whose own contrast has the claim's direction")
    seeds: int = 0
    items: int = Field(0, description="evaluation items per language, the same items in every language")
    statistic: str = ""
    jobs: list[str] = Field(default_factory=list)
    runs: list[str] = Field(default_factory=list, description="the run labels, in the order of `jobs`")
    accuracies: list[TestedAccuracy] = Field(default_factory=list)
    published_effect: float | None = Field(None, description="the same contrast over the published numbers (runs "
                                                             "from English only): the size the literature reports")
    published_model: str | None = None
    scale: str = ""
    notes: list[str] = Field(default_factory=list)

    @property
    def brief(self) -> str:
        """The outcome with its size: "reproduced, +3.1 points (95% interval +1.2 to +5.0; 3/3 seeds …)"."""
        if self.effect is None:
            return self.outcome
        return (f"{self.outcome}, {100 * self.effect:+.1f} points (95% interval {100 * self.ci_low:+.1f} to "
                f"{100 * self.ci_high:+.1f}; {self.seeds_agreeing}/{self.seeds} seeds in the claim's direction"
                + (f"; {100 * self.published_effect:+.1f} from the published {self.published_model} numbers"
                   if self.published_effect is not None else "") + ")")


class ReportClaim(BaseModel):
    id: str
    text: str
    paper_id: str
    quote: str
    kind: str
    relevance: Relevance = "related"
    relevance_score: float = 0.0
    faithfulness: float | None = Field(None, description="P(its own quote entails the claim)")
    rewritten_from: str | None = Field(None, description="the extracted wording its quote did not entail")
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    calibrated: bool
    evidence: list[ReportEvidence]
    also_in: list[ClaimSource] = Field(default_factory=list, description="other papers stating the same finding")
    standing: Standing = Field("single-source", description="corroborated: another paper states or supports it; "
                                                            "contested: another paper contradicts it; single-source")
    quote_verbatim: bool | None = Field(None, description="the quote occurs word for word in the stored paper text "
                                                          "(None: the paper text was not available to check)")
    experiment: ClaimTestEvidence | None = Field(None, description="the claim tested by running its experiment")

    @field_validator("standing", mode="before")
    @classmethod
    def _older_standing(cls, value: str) -> str:
        """Reports written before corroboration was judged apart said strong / open: shown as single-source."""
        return "contested" if value == "contested" else value if value in ("corroborated", "single-source") \
            else "single-source"


class Share(BaseModel):
    count: int
    total: int
    value: float | None = Field(description="count / total, None when total is 0")

    @classmethod
    def of(cls, count: int, total: int) -> "Share":
        return cls(count=count, total=total, value=round(count / total, 3) if total else None)


class ComputedChecks(BaseModel):
    """Checks computed from the run itself, not judged by a model."""

    claims_with_verbatim_quote: Share = Field(description="claims whose quote occurs word for word in the paper text")
    evidence_quotes_verbatim: Share = Field(description="evidence quotes that occur word for word in their paper")
    references_cited_in_answer: Share = Field(description="references the answer cites, directly or through a claim")
    claims_verified: Share = Field(description="extracted claims that went through the verifier")
    answer_citations_resolved: Share = Field(description="claim ids and paper ids cited in the answer that exist")
    answer_sentences_citing_claims: Share | None = Field(None, description="sentences of the answer's findings "
                                                                           "that cite claims")
    answer_citation_precision: Share | None = Field(None, description="cited answer sentences entailed by the "
                                                                      "claims they cite, as the model wrote them "
                                                                      "(the rest were rewritten or removed)")


class Reviewer(BaseModel):
    """A free-text reviewer of reports written before criteria were scored from label probabilities."""

    score: int = Field(ge=1, le=5)
    rationale: str


class CriterionScore(BaseModel):
    criterion: str
    score: float = Field(ge=1.0, le=5.0, description="the expected score, capped by the computed checks")
    model_score: float = Field(ge=1.0, le=5.0, description="the expected score from the label probabilities")
    spread: float = Field(ge=0.0, description="standard deviation of the score under the label probabilities")
    probabilities: dict[str, float] = Field(default_factory=dict, description="P(score) for 1..5")
    capped_by: str | None = Field(None, description="the computed check that capped the score")


class Review(BaseModel):
    score: float | None = Field(description="mean of the criteria scores, 1-5")
    spread: float | None = Field(description="mean spread of the criteria scores")
    rubric: list[str]
    criteria: list[CriterionScore] = Field(default_factory=list)
    reviewers: list[Reviewer] = Field(default_factory=list, description="older reports only")
    checks: ComputedChecks | None = None


class NodeUsageReport(BaseModel):
    llm_calls: int
    cached_calls: int = Field(0, description="calls answered from the response cache (no model call)")
    prompt_tokens: int
    completion_tokens: int
    llm_seconds: float = Field(description="time inside model calls (not waiting for the model)")
    wall_seconds: float = Field(description="time inside the node, summed over its parallel branches")


class Usage(BaseModel):
    llm_calls: int
    cached_calls: int = Field(0, description="calls answered from the response cache (no model call)")
    prompt_tokens: int
    completion_tokens: int
    wall_seconds: float
    per_node: dict[str, NodeUsageReport]


class ProviderInfo(BaseModel):
    name: str
    model: str
    calibrated: bool
    judge: str = Field("llm", description="the verifier's judge: llm, cross-encoder or stack (agent/claims/judging.py)")


class MethodSummary(BaseModel):
    sub_questions: list[str]
    papers_found: int
    papers_read: int
    papers_cited: int = 0
    claims_extracted: int
    claims_verified: int
    verdicts: dict[str, int]
    search_sources: list[str] = Field(default_factory=list)
    models: dict[str, str] = Field(default_factory=dict, description="role -> model, e.g. llm, embeddings")


class LanguageResult(BaseModel):
    language: str
    accuracy: float | None = Field(None, ge=0.0, le=1.0)
    examples: int | None = None
    majority_class: float | None = Field(None, description="accuracy of always predicting the most frequent label")
    published: BaselineNumber | None = None
    difference: float | None = Field(None, description="ours minus published, in accuracy points of [0, 1]")


class ExperimentReport(BaseModel):
    job_id: str
    name: str
    task: str
    model: str
    train_language: str
    backend: str
    status: str
    per_language: list[LanguageResult]
    average: float | None = None
    published_average: float | None = None
    wall_seconds: float | None = None
    notes: list[str] = Field(default_factory=list)


class UntestableClaim(BaseModel):
    claim_id: str
    reason: str = Field(description="why no experiment of the worker can test it")


class Report(BaseModel):
    question: str
    title: str
    created_at: str
    answer: str
    queries: list[str]
    method: MethodSummary
    papers: list[ReportPaper]
    claims: list[ReportClaim]
    experiments: list[ExperimentReport] = Field(default_factory=list)
    untestable: list[UntestableClaim] = Field(default_factory=list, description="claims no experiment here can "
                                                                                 "test, and why")
    review: Review
    limitations: list[str]
    warnings: list[str] = Field(default_factory=list)
    usage: Usage
    provider: ProviderInfo

    @property
    def tested_here(self) -> str:
        """What this run's experiments said about the claims the answer rests on, written by the program
        (the answer is the model's, from the literature; this paragraph is not, and is never merged into it)."""
        tested = [c for c in self.claims if c.experiment]
        if not tested:
            return ""
        parts = [f"{c.id} ({c.experiment.prediction}): {c.experiment.brief}" for c in tested]
        return ("Tested here by experiment, at small scale (direction, not size): " + "; ".join(parts)
                + ". See Claims tested by experiment.")


def load_report(run_dir: Path) -> Report:
    """The report of a run directory (or a report.json path), with one clear error when it is missing or broken."""
    path = run_dir / "report.json" if run_dir.is_dir() else run_dir
    if not path.exists():
        raise InputError(f"no report at {path}: give a run directory that holds report.json (agent ask --out DIR)")
    try:
        return Report.model_validate_json(path.read_bytes())
    except ValueError as exc:
        first = str(exc).splitlines()
        raise InputError(f"{path} is not a valid report.json ({first[0] if first else exc})") from None


def write_schema(path: Path = SCHEMA_PATH) -> None:
    path.write_text(json.dumps(Report.model_json_schema(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
    print(f"wrote {SCHEMA_PATH}")
