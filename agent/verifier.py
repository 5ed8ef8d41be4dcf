"""The verifier graph: one claim in; verdict, quoted evidence with stances, and a confidence out.

    gather_evidence ──Send per passage──► judge_passage ──► aggregate

Paper text is screened before it is judged: sentences that address an AI system (planted instructions)
are removed and kept on the evidence as `screened_out` (`tools/injection.py`).

Compiled on its own (`build_verifier_graph()`), used by the research graph for every claim and
usable alone.

Aggregation rule. Each passage's stance is its most probable label. If some passages are SUPPORTED
or REFUTED, the verdict is the label of the single most confident such passage; its confidence is
that probability, discounted by the strongest opposing passage (p_win x (1 - p_oppose)), so a
contested claim never looks certain. If every passage is NOT_ENOUGH_INFO, the verdict is
NOT_ENOUGH_INFO with the mean NOT_ENOUGH_INFO probability as confidence. Label probabilities go
through the calibration map fitted for the provider and model (`agent/calibration.py`) when one is
shipped; otherwise they are the model's raw probabilities and `calibrated` is False.
"""

from __future__ import annotations

import numpy as np
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send

from agent.nodes.common import Services, tracked
from agent.records import VERDICTS, Evidence, VerifiedClaim
from agent.state import JudgeTask, Passage, VerifyState
from prompts import render
from tools.injection import screen_text
from tools.snapshot import snapshot_by_id
from tools.text import split_sentences

MIN_RELATED_SIMILARITY = 0.35
# Longer passages (abstracts rarely are) are judged in overlapping windows of whole sentences, never
# cut: a small model's judgement degrades on long inputs, and a cut can lose the deciding sentence.
MAX_PASSAGE_WORDS = 320


def screen_passage(passage: Passage) -> Passage:
    """The passage without sentences that address an AI system (`tools/injection.py`), noting what went."""
    screened = screen_text(passage["text"])
    if not screened.removed:
        return passage
    return Passage(**{**passage, "text": screened.text, "screened_out": screened.removed})


def prepare(passages: list[Passage]) -> list[Passage]:
    """Screened, then windowed: what the judge is shown."""
    return [w for p in passages for w in window_passage(screen_passage(p))]


def window_passage(passage: Passage, max_words: int = MAX_PASSAGE_WORDS) -> list[Passage]:
    """The passage itself if short enough, else overlapping windows of whole sentences covering all of it."""
    sentences = split_sentences(passage["text"])
    if len(passage["text"].split()) <= max_words or len(sentences) < 2:
        return [passage]
    windows: list[Passage] = []
    start = 0
    while start < len(sentences):
        end, words = start, 0
        while end < len(sentences) and (end == start or words + len(sentences[end].split()) <= max_words):
            words += len(sentences[end].split())
            end += 1
        windows.append(Passage(**{**passage, "text": " ".join(sentences[start:end])}))
        if end >= len(sentences):
            break
        start = max(end - 1, start + 1)  # one sentence of overlap
    return windows


@tracked("verify.gather")
def gather_evidence(state: VerifyState, services: Services, runtime: Runtime) -> dict:
    """The claim's own paper (abstract, and its best full-text chunk when read) and related passages
    from other papers; or, when the caller gave passages (the eval suites' oracle mode), those.
    Every passage is windowed if long."""
    if state.get("passages"):
        return {"passages": prepare(state["passages"])}
    claim = state["claim"]
    source = services.library.get_paper(claim.paper_id) or snapshot_by_id().get(claim.paper_id)
    passages: list[Passage] = []
    if source is not None:
        passages.append(Passage(paper_id=source.id, title=source.title, text=source.abstract, is_source=True))
        for hit in services.library.paper_chunks(claim.paper_id, claim.text, k=1):
            passages.append(Passage(paper_id=source.id, title=source.title, text=hit.text, is_source=True))
    for other in claim.also_in:  # the same finding stated by other papers: they are sources too
        if (paper := services.library.get_paper(other.paper_id) or snapshot_by_id().get(other.paper_id)):
            passages.append(Passage(paper_id=paper.id, title=paper.title, text=paper.abstract, is_source=True))
    sources = {claim.paper_id, *(other.paper_id for other in claim.also_in)}
    related = services.library.related_passages(claim.text, exclude_paper_id=claim.paper_id,
                                                k=services.settings.max_evidence_per_claim)
    passages += [Passage(paper_id=hit.paper_id, title=hit.title, text=hit.text, is_source=False)
                 for hit in related if hit.score >= MIN_RELATED_SIMILARITY and hit.paper_id not in sources]
    return {"passages": prepare(passages)}


def route_passages(state: VerifyState) -> list[Send] | str:
    if not state.get("passages"):
        return "aggregate"
    return [Send("judge_passage", JudgeTask(claim=state["claim"], passage=p)) for p in state["passages"]]


def best_quote(claim_text: str, passage_text: str, services: Services) -> str:
    """The passage sentence closest to the claim (verbatim)."""
    sentences = split_sentences(passage_text) or [passage_text]
    if len(sentences) == 1:
        return sentences[0]
    vectors = services.library.embedder.embed([claim_text, *sentences])
    return sentences[int(np.argmax(vectors[1:] @ vectors[0]))]


@tracked("verify.judge")
def judge_passage(task: JudgeTask, services: Services, runtime: Runtime) -> dict:
    claim, passage = task["claim"], task["passage"]
    raw, _mass = services.provider.label_probs(
        render("judge", claim=claim.text, title=passage["title"], passage=passage["text"]), VERDICTS
    )
    probabilities = services.calibration.apply(raw) if services.calibration else raw
    stance = max(VERDICTS, key=lambda label: (probabilities[label], -VERDICTS.index(label)))
    if passage["is_source"] and claim.quote and claim.quote in passage["text"]:
        quote = claim.quote
    else:
        quote = best_quote(claim.text, passage["text"], services)
    return {"judged": [Evidence(paper_id=passage["paper_id"], quote=quote, stance=stance,
                                probabilities={k: round(v, 4) for k, v in probabilities.items()},
                                raw_probabilities={k: round(v, 6) for k, v in raw.items()},
                                is_source=passage["is_source"], screened_out=passage.get("screened_out", []))]}


def aggregate_judgments(judged: list[Evidence]) -> tuple[str, float]:
    decisive = [e for e in judged if e.stance != "NOT_ENOUGH_INFO"]
    if not decisive:
        if not judged:
            return "NOT_ENOUGH_INFO", 0.0
        return "NOT_ENOUGH_INFO", float(np.mean([e.probabilities["NOT_ENOUGH_INFO"] for e in judged]))
    winner = max(decisive, key=lambda e: (e.probabilities[e.stance], e.is_source))
    opposite = "REFUTED" if winner.stance == "SUPPORTED" else "SUPPORTED"
    opposing = max((e.probabilities[opposite] for e in decisive if e.stance == opposite), default=0.0)
    return winner.stance, winner.probabilities[winner.stance] * (1.0 - opposing)


@tracked("verify.aggregate")
def aggregate(state: VerifyState, services: Services, runtime: Runtime) -> dict:
    judged = sorted(state.get("judged", []), key=lambda e: (not e.is_source, e.paper_id))
    verdict, confidence = aggregate_judgments(judged)
    result = VerifiedClaim(**state["claim"].model_dump(), verdict=verdict,
                           confidence=round(min(max(confidence, 0.0), 1.0), 4), evidence=judged,
                           calibrated=services.calibration is not None)
    return {"result": result}


def build_verifier_graph():
    graph = StateGraph(VerifyState, context_schema=Services)
    graph.add_node("gather_evidence", gather_evidence)
    graph.add_node("judge_passage", judge_passage)
    graph.add_node("aggregate", aggregate)
    graph.add_edge(START, "gather_evidence")
    graph.add_conditional_edges("gather_evidence", route_passages, ["judge_passage", "aggregate"])
    graph.add_edge("judge_passage", "aggregate")
    graph.add_edge("aggregate", END)
    return graph.compile(name="verifier")
graph = build_verifier_graph()
