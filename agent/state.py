"""Graph state: what each graph carries from node to node."""

from __future__ import annotations

import operator
from typing import Annotated, NotRequired, TypedDict

from agent.records import Claim, Evidence, VerifiedClaim
from agent.report import ExperimentReport
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
    limitations: list[str]
    reviews: list[dict]
    experiment_policy: str  # "ask" (interrupt for approval), "yes" (approved up front) or "no"
    experiment_specs: list[ExperimentSpec]
    experiment_jobs: list[str]
    experiments: list[ExperimentReport]
    report_path: str
    warnings: Annotated[list[str], operator.add]


class PaperTask(TypedDict):
    """What one extraction branch receives through `Send`."""

    paper: Paper
    rank: int


class ClaimTask(TypedDict):
    claim: Claim


class Passage(TypedDict):
    paper_id: str
    title: str
    text: str
    is_source: bool
    screened_out: NotRequired[list[str]]  # sentences addressed to an AI system, not shown to the judge


class JudgeTask(TypedDict):
    claim: Claim
    passage: Passage


class VerifyState(TypedDict, total=False):
    claim: Claim
    passages: list[Passage]
    judged: Annotated[list[Evidence], operator.add]
    result: VerifiedClaim


def add_papers_in_order(known: list[dict], new: list[dict]) -> list[dict]:
    """Papers in the order the conversation met them, each once: "the second paper" stays the second."""
    seen = {p["id"] for p in known}
    return known + [p for p in new if p["id"] not in seen and not seen.add(p["id"])]


class ChatState(TypedDict, total=False):
    messages: Annotated[list[dict], operator.add]  # {"role": user|assistant|tool, "content", "tool", "args"}
    papers: Annotated[list[dict], add_papers_in_order]  # {"id", "title", "year", "authors"}
    claims: Annotated[list[dict], operator.add]  # VerifiedClaim dumps
    pending: dict  # the ChatStep being run
    tool_calls: int  # tool calls in the current turn
