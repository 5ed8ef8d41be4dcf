"""The research graph's state: what it carries from node to node."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from agent.experiments.claim_tests import ClaimTest, NotTestable
from agent.records import Claim, VerifiedClaim
from agent.report.model import ClaimTestEvidence, ExperimentReport
from tools.experiments.spec import ExperimentSpec
from tools.papers import Paper


class ResearchState(TypedDict, total=False):
    question: str
    sub_questions: list[str]
    queries: list[str]
    out_dir: str  # where the report is written
    search_sources: list[str]
    candidates: list[Paper]  # found by search, best first
    papers: list[Paper]  # read into the library, best first
    extracted: Annotated[list[Claim], operator.add]  # fan-in of the per-paper extraction
    claims: list[Claim]  # numbered, deduplicated, within budget
    verified: Annotated[list[VerifiedClaim], operator.add]  # fan-in of the per-claim verification
    answer: str
    answers_question: bool  # some claim studies the question's focus (else the answer says none does)
    answer_check: dict  # counts of the answer's sentences: written, citing claims, entailed, rewritten, removed
    limitations: list[str]
    reviews: list[dict]  # one per rubric criterion (`agent.report.model.CriterionScore`)
    experiment_policy: str  # "ask" (interrupt for approval), "yes" (approved up front) or "no"
    experiment_specs: list[ExperimentSpec]
    experiment_jobs: list[str]
    experiments: list[ExperimentReport]
    claim_tests: list[ClaimTest]  # approved tests of claims by experiment
    claims_untestable: list[NotTestable]  # the other claims, each with why no test was run
    claim_evidence: list[ClaimTestEvidence]  # what the tests' runs say about their claims
    report_path: str
    warnings: Annotated[list[str], operator.add]


class PaperTask(TypedDict):
    """What one extraction branch receives through `Send`."""

    paper: Paper
    rank: int
    question: str
    sub_questions: list[str]


class ClaimTask(TypedDict):
    """What one verification branch receives through `Send`."""

    claim: Claim
