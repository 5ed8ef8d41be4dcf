"""The verifier graph's state: one claim, the passages it is judged against, and the judgments."""

from __future__ import annotations

import operator
from typing import Annotated, NotRequired, TypedDict

from agent.records import Claim, Evidence, VerifiedClaim


class Passage(TypedDict):
    paper_id: str
    title: str
    text: str
    is_source: bool
    same_subject: NotRequired[bool]  # another paper's passage about the claim's subject (the relevance gate)
    screened_out: NotRequired[list[str]]  # sentences addressed to an AI system, not shown to the judge


class JudgeTask(TypedDict):
    """What one judging branch receives through `Send`."""

    claim: Claim
    passage: Passage


class VerifyState(TypedDict, total=False):
    claim: Claim
    passages: list[Passage]
    judged: Annotated[list[Evidence], operator.add]  # fan-in of the per-passage judgments
    result: VerifiedClaim
