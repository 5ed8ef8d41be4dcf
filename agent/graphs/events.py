"""Progress events: what a graph tells whoever streams it in `custom` mode (the terminal views of `agent ask`
and `agent chat`). Each is a small typed dict whose `stage` says which kind it is."""

from __future__ import annotations

from typing import Literal, TypedDict, Union

# what a reader is told each stage of a research run is doing, in the order a run goes through them
STAGE_LABELS = {
    "plan": "planning searches",
    "search": "searching",
    "read": "reading papers",
    "extract": "extracting claims",
    "collect": "collecting claims",
    "verify": "verifying claims",
    "experiment": "running the experiment",
    "synthesize": "writing the answer",
    "review": "reviewing",
    "report": "writing the report",
}


# -- the research graph ----------------------------------------------------------------------------
class WarningEvent(TypedDict):
    stage: Literal["warning"]
    message: str


class PlanEvent(TypedDict):
    stage: Literal["plan"]
    queries: list[str]


class SearchEvent(TypedDict):
    stage: Literal["search"]
    found: int
    sources: list[str]


class ReadEvent(TypedDict):
    stage: Literal["read"]
    papers: int
    new_in_library: int
    full_text_chunks: int


class ExtractEvent(TypedDict):
    stage: Literal["extract"]
    paper_id: str
    claims: int


class CollectEvent(TypedDict):
    stage: Literal["collect"]
    claims: int


class VerifyEvent(TypedDict):
    stage: Literal["verify"]
    claim_id: str
    verdict: str
    confidence: float


class ExperimentEvent(TypedDict, total=False):
    stage: Literal["experiment"]
    status: str
    name: str
    estimate: str
    job_id: str


class SynthesizeEvent(TypedDict):
    stage: Literal["synthesize"]
    answer_chars: int


class ReviewEvent(TypedDict):
    stage: Literal["review"]
    criterion: str
    score: float


class ReportEvent(TypedDict):
    stage: Literal["report"]
    path: str


# -- the chat graph --------------------------------------------------------------------------------
class TokenEvent(TypedDict):
    stage: Literal["token"]
    text: str


class ToolCallEvent(TypedDict):
    stage: Literal["tool_call"]
    name: str
    args: dict


class ToolResultEvent(TypedDict):
    stage: Literal["tool_result", "tool_error"]
    name: str
    message: str


class NoticeEvent(TypedDict):
    stage: Literal["notice"]
    message: str


ProgressEvent = Union[WarningEvent, PlanEvent, SearchEvent, ReadEvent, ExtractEvent, CollectEvent,
                      VerifyEvent, ExperimentEvent, SynthesizeEvent, ReviewEvent, ReportEvent, TokenEvent,
                      ToolCallEvent, ToolResultEvent, NoticeEvent]
