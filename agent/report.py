"""The report model: `report.json` is the machine-readable truth; Markdown is a rendering of it.

`python -m agent.report` writes the JSON schema to `agent/report.schema.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from agent.records import ClaimSource, Verdict

SCHEMA_PATH = Path(__file__).parent / "report.schema.json"


class ReportPaper(BaseModel):
    id: str
    title: str
    authors: list[str]
    year: int | None
    url: str


class ReportEvidence(BaseModel):
    paper_id: str
    quote: str
    stance: Verdict
    probabilities: dict[str, float] = Field(default_factory=dict)


class ReportClaim(BaseModel):
    id: str
    text: str
    paper_id: str
    quote: str
    kind: str
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    calibrated: bool
    evidence: list[ReportEvidence]
    also_in: list[ClaimSource] = Field(default_factory=list, description="other papers stating the same finding")


class Reviewer(BaseModel):
    score: int = Field(ge=1, le=5)
    rationale: str


class Review(BaseModel):
    score: float | None = Field(description="mean reviewer score, 1-5")
    spread: float | None = Field(description="standard deviation of the reviewer scores")
    rubric: list[str]
    reviewers: list[Reviewer]


class NodeUsageReport(BaseModel):
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    llm_seconds: float = Field(description="time inside model calls (not waiting for the model)")
    wall_seconds: float = Field(description="time inside the node, summed over its parallel branches")


class Usage(BaseModel):
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    wall_seconds: float
    per_node: dict[str, NodeUsageReport]


class ProviderInfo(BaseModel):
    name: str
    model: str
    calibrated: bool


class MethodSummary(BaseModel):
    sub_questions: list[str]
    papers_found: int
    papers_read: int
    claims_extracted: int
    claims_verified: int
    verdicts: dict[str, int]
    search_sources: list[str] = Field(default_factory=list)


class Report(BaseModel):
    question: str
    title: str
    created_at: str
    answer: str
    queries: list[str]
    method: MethodSummary
    papers: list[ReportPaper]
    claims: list[ReportClaim]
    experiments: list[dict] = Field(default_factory=list)
    review: Review
    limitations: list[str]
    warnings: list[str] = Field(default_factory=list)
    usage: Usage
    provider: ProviderInfo


def write_schema(path: Path = SCHEMA_PATH) -> None:
    path.write_text(json.dumps(Report.model_json_schema(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
    print(f"wrote {SCHEMA_PATH}")
