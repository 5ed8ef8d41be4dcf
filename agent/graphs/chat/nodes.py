"""The chat graph's nodes: plan the turn, run its tool, answer.

The plan is the program's (`intent.py`): a literature question is searched before it is answered, a claim is
checked when the user asks whether it holds, and a tool that starts or stops work runs only on an explicit
request. The model writes only the synthesis of a literature answer, from numbered passages, and every
sentence of it is checked against the papers before it is shown (`grounding.py`); records (verdicts, tool
results) are written by the program (`replies.py`).
"""

from __future__ import annotations

import re
from dataclasses import asdict
from itertools import chain

import numpy as np
from langgraph.errors import GraphInterrupt
from langgraph.runtime import Runtime

from agent.claims.citations import cited_paper_ids
from agent.graphs.approval import ask_for_approval
from agent.graphs.chat import replies
from agent.graphs.chat.grounding import (
    GroundedStream,
    evidence_lines,
    extractive_answer,
    relevant,
    similarities,
)
from agent.graphs.chat.intent import JOB_ID, Intent, asks_which_papers, classify, refers_back
from agent.graphs.chat.prompt_context import (
    claims_block,
    conversation_block,
    find_mentions,
    last_user_message,
    mentions_block,
    named_terms,
)
from agent.graphs.chat.state import ChatState, PaperRef
from agent.graphs.chat.tools import TOOLS, ChatStep, ToolContext, ToolFailed, ToolResult
from agent.graphs.context import run_context
from agent.graphs.events import NoticeEvent, TokenEvent, ToolCallEvent, ToolResultEvent
from agent.graphs.tracking import emit, tracked
from agent.services import Services
from prompts import render
from tools.papers import Paper
from tools.text import split_sentences

ANSWER_TOKENS = 300
FOLLOW_UP_PAPERS = 8
FOLLOW_UP_RULE = "When the question asks which papers, name each one by its arXiv id. "


def _paper_ref(paper: Paper) -> PaperRef:
    return PaperRef(id=paper.id, title=paper.title, year=paper.year, authors=paper.authors[:3],
                    abstract=paper.abstract)


def _user_messages(state: ChatState) -> list[str]:
    return [m["content"] for m in state.get("messages", []) if m["role"] == "user"]


_SINGULAR = re.compile(r"\b(?:it|its|this paper|that paper|the paper)\b", re.IGNORECASE)


def _last_opened(state: ChatState) -> str:
    """The paper the thread's last tool call opened, or ""."""
    last = next((m for m in reversed(state.get("messages", [])) if m["role"] == "tool"), None)
    return last["args"].get("paper_id", "") if last and last["tool"] == "open_paper" else ""


def _last_job(state: ChatState) -> str:
    found = [job for m in state.get("messages", []) if m["role"] == "tool" for job in JOB_ID.findall(m["content"])]
    return found[-1] if found else ""


def _claim_by_id(state: ChatState, claim_id: str) -> tuple[dict | None, dict | None]:
    """(the checked claim, the extracted one) with that thread id."""
    checked = next((c for c in state.get("claims", []) if c["id"] == claim_id), None)
    extracted = next((c for c in state.get("extracted", []) if c["id"] == claim_id), None)
    return checked, extracted


def search_query(message: str, state: ChatState) -> str:
    """The search for a literature question; one that refers back ("does this hold for Swahili?") is searched
    together with the question before it."""
    earlier = _user_messages(state)[:-1]
    if earlier and refers_back(message):
        return f"{earlier[-1]} {message}"
    return message


def next_step(intent: Intent, state: ChatState, message: str) -> ChatStep | None:
    """The turn's tool call, or None to answer now."""
    kind = intent.kind
    if kind == "literature":
        return ChatStep(action="search_papers", query=search_query(message, state))
    if kind in ("verify", "claim_status"):
        checked, extracted = _claim_by_id(state, intent.claim_ref)
        if intent.claim_ref and (checked or extracted) and not (kind == "claim_status" and checked):
            source = checked or extracted
            return ChatStep(action="verify_claim", claim=source["text"], paper_id=source["paper_id"])
        return ChatStep(action="verify_claim", claim=intent.claim, paper_id=intent.paper_id) if intent.claim else None
    if kind in ("open_paper", "extract_claims"):
        return ChatStep(action=kind, paper_id=intent.paper_id)
    if kind == "write_report":
        return ChatStep(action="write_report", path=intent.path)
    if kind == "test_claim":
        checked, extracted = _claim_by_id(state, intent.claim_ref)
        source = checked or extracted
        return ChatStep(action="test_claim", claim=source["text"], paper_id=source["paper_id"],
                        claim_ref=intent.claim_ref) if source else None
    if kind == "run_experiment":
        if not intent.languages:
            return None
        return ChatStep(action="start_experiment", task=intent.task or "xnli", eval_languages=intent.languages)
    if kind in ("experiment_status", "cancel_experiment"):
        job = intent.job_id or _last_job(state)
        return ChatStep(action=kind, job_id=job) if job else None
    return None


@tracked("chat.plan")
def plan(state: ChatState, services: Services, runtime: Runtime) -> dict:
    if state.get("tool_calls", 0):  # every intent needs at most one tool: after it, answer
        return {"pending": {"action": "answer"}}
    message = last_user_message(state.get("messages", []))
    intent = classify(message, state.get("papers", []))
    if intent.kind == "follow_up" and not intent.paper_id and _SINGULAR.search(message):
        intent.paper_id = _last_opened(state)  # "what did it find?" after "tell me about the second paper"
    step = next_step(intent, state, message)
    return {"intent": asdict(intent), "pending": step.model_dump() if step else {"action": "answer"},
            "turn_papers": []}


def route(state: ChatState) -> str:
    return "answer" if state.get("pending", {}).get("action", "answer") == "answer" else "run_tool"


def _numbered(claims: list, state: ChatState, replacing: str = "") -> list[dict]:
    """Claims as thread entries with their ids: a re-checked claim keeps its id, new ones get the next."""
    taken = [int(c["id"][1:]) for c in [*state.get("claims", []), *state.get("extracted", [])]]
    entries, next_number = [], max(taken, default=0) + 1
    for claim in claims:
        entry = claim.model_dump(mode="json")
        if replacing:
            entry["id"], replacing = replacing, ""
        else:
            entry["id"], next_number = f"C{next_number}", next_number + 1
        entries.append(entry)
    return entries


@tracked("chat.run_tool")
def run_tool(state: ChatState, services: Services, runtime: Runtime) -> dict:
    step = ChatStep.model_validate(state["pending"])
    args = step.arguments()
    emit(runtime, ToolCallEvent(stage="tool_call", name=step.action, args=args))
    context = ToolContext(run=run_context(runtime), thread=state, approve=ask_for_approval)
    try:
        result = TOOLS[step.action](step, context)
    except GraphInterrupt:  # the approval question: LangGraph resumes the node with the user's answer
        raise
    except ToolFailed as exc:
        result, failed = ToolResult(f"failed: {exc}"), True
    except Exception as exc:  # a tool's own error (network, model, store): shown, and the conversation goes on
        result, failed = ToolResult(f"failed: {type(exc).__name__}: {exc}"), True
    else:
        failed = False
    emit(runtime, ToolResultEvent(stage="tool_error" if failed else "tool_result", name=step.action,
                                  message=result.summary))
    claim_ref = state.get("intent", {}).get("claim_ref", "")
    update = {
        "messages": [{"role": "tool", "tool": step.action, "args": args, "content": result.summary}],
        "papers": [_paper_ref(p) for p in result.papers],
        "claims": _numbered(result.claims, state, replacing=claim_ref),
        "tool_calls": state.get("tool_calls", 0) + 1,
        "turn_papers": [p.id for p in result.papers],
    }
    if result.extracted:
        update["extracted"] = _numbered(result.extracted, state)
    return update


# -- the answer ----------------------------------------------------------------------------------------
def _say(runtime: Runtime, text: str) -> dict:
    emit(runtime, TokenEvent(stage="token", text=text))
    return {"messages": [{"role": "assistant", "content": text}], "pending": {}, "tool_calls": 0}


def _paper_vectors(papers: list[dict], services: Services) -> dict[str, np.ndarray]:
    """Each paper's MiniLM vector: the snapshot's precomputed one, else embedded now (a few at a time)."""
    index = services.search.snapshot
    vectors, missing = {}, []
    for paper in papers:
        position = index.position.get(paper["id"])
        if position is not None:
            vectors[paper["id"]] = index.vectors[position]
        else:
            missing.append(paper)
    embedder = services.library.embedder
    for start in range(0, len(missing), embedder.SMALL_BATCH):
        batch = missing[start:start + embedder.SMALL_BATCH]
        texts = [f"{p['title']}. {p.get('abstract', '')}" for p in batch]
        vectors.update(zip((p["id"] for p in batch), embedder.embed(texts)))
    return vectors


_RECENCY = re.compile(r"\b(?:most recent|newest|latest|oldest|earliest)\b", re.IGNORECASE)


def _follow_up_record(state: ChatState, services: Services, message: str, terms: list[str]) -> str | None:
    """A follow-up the thread's records answer by themselves: which papers mention a name, which papers an
    earlier answer rests on, which paper is newest. None when the model has to read the passages."""
    papers = state.get("papers", [])
    numbered = list(enumerate(papers, 1))
    if terms and asks_which_papers(message):
        return replies.which_papers_mention(find_mentions(papers, terms, services.library.stored_texts), len(papers))
    recency = _RECENCY.search(message)
    if recency:
        return replies.by_year(numbered, newest=recency.group(0).lower() in ("most recent", "newest", "latest"))
    if asks_which_papers(message):
        previous = next((m["content"] for m in reversed(state["messages"][:-1]) if m["role"] == "assistant"), "")
        cited = set(cited_paper_ids(previous))
        return replies.papers_behind([(n, p) for n, p in numbered if p["id"] in cited],
                                     "The papers that answer rests on")
    return None


def _grounded_stream(prompt: list, stream: GroundedStream, services: Services, runtime: Runtime) -> GroundedStream:
    """The model's answer, shown sentence by sentence as each passes the check; it stops at MAX_SENTENCES."""
    for piece in chain(services.provider.stream(prompt, max_tokens=ANSWER_TOKENS), [None]):
        text = stream.flush() if piece is None else stream.feed(piece)
        if text:
            emit(runtime, TokenEvent(stage="token", text=text))
        if stream.full:
            break
    return stream


def _literature_answer(state: ChatState, services: Services, runtime: Runtime, message: str,
                       follow_up: bool) -> dict:
    papers_by_id = {p["id"]: p for p in state.get("papers", [])}
    vocabulary = services.vocabulary.merged(p.get("abstract", "") for p in papers_by_id.values())
    terms = named_terms(message, vocabulary)
    lead = ""
    if follow_up:
        record = _follow_up_record(state, services, message, terms)
        if record:
            return _say(runtime, record)
        earlier = _user_messages(state)[-2:-1]  # the question it follows (not the answer: that is said already)
        numbers = {pid: number for number, pid in enumerate(papers_by_id, 1)}
        pinned = state.get("intent", {}).get("paper_id", "")
        if pinned in papers_by_id:  # a question about one paper ("the second paper", "what did it find?")
            papers = [papers_by_id[pinned]]
        else:
            papers = [p for p in papers_by_id.values() if numbers[p["id"]] > len(numbers) - FOLLOW_UP_PAPERS]
        lines = evidence_lines(" ".join([message, *earlier]), papers, rank_by_focus=True, limit=FOLLOW_UP_PAPERS,
                               numbers=numbers, pinned=pinned)
    else:
        found = [papers_by_id[pid] for pid in state.get("turn_papers", []) if pid in papers_by_id]
        query = next((m["args"].get("query", message) for m in reversed(state["messages"]) if m["role"] == "tool"),
                     message)  # "does this hold for German?" is judged with the question it follows
        question_vector = services.library.embedder.embed([query])[0]
        scores = similarities(question_vector, _paper_vectors(found, services))
        mentions_found = find_mentions(found, terms, services.library.stored_texts)  # one pass serves both uses
        naming = {p["id"] for m in mentions_found if vocabulary.is_rare(m.term) for _, p, _ in m.found}
        keep = set(relevant(scores, naming))
        if not keep:
            closest = sorted(((p["id"], p["title"], scores.get(p["id"], 0.0)) for p in found), key=lambda t: -t[2])
            return _say(runtime, replies.nothing_relevant(closest, _sources(state)))
        # papers naming a rare term of the question first: they are what it asks about
        papers = sorted((p for p in found if p["id"] in keep), key=lambda p: p["id"] not in naming)
        lines = evidence_lines(message, papers)
        missing = [m.term for m in mentions_found if not any(p["id"] in keep for _, p, _ in m.found)]
        if missing:
            lead = replies.not_covered(missing)
            emit(runtime, TokenEvent(stage="token", text=lead + " "))
    mentions = mentions_block(papers, message, services.library.stored_texts, vocabulary) if follow_up else ""
    prompt = render("chat_answer", question=message, evidence="\n".join(line.render() for line in lines),
                    mentions=mentions, claims=claims_block(state.get("claims", [])) if follow_up else "",
                    conversation=conversation_block(state["messages"][:-1]) if follow_up else "",
                    follow_up_rule=FOLLOW_UP_RULE if follow_up else "")
    earlier_answers = [s for m in state["messages"][:-1] if m["role"] == "assistant" and "draft" in m
                       for s in split_sentences(m["content"])] if follow_up else []  # the model's, not records
    stream = _grounded_stream(prompt, GroundedStream(
        support={p["id"]: f"{p['title']} {p.get('abstract', '')}" for p in papers},
        titles={p["id"]: p["title"] for p in papers}, said_before=earlier_answers,
        names=lambda text: [n for n in named_terms(text, vocabulary) if vocabulary.is_rare(n)]), services, runtime)
    reply = " ".join([lead, *stream.said]).strip()
    if not stream.kept:  # nothing the papers back: show the passages themselves
        fallback = replies.nothing_new() if follow_up and stream.repeated else extractive_answer(lines)
        emit(runtime, TokenEvent(stage="token", text=(" " if stream.said else "") + fallback))
        reply = f"{reply} {fallback}".strip()
    if stream.removed_ids:
        emit(runtime, NoticeEvent(stage="notice", message="removed paper ids that are not in this conversation: "
                                                          + ", ".join(stream.removed_ids)))
    if stream.dropped:
        emit(runtime, NoticeEvent(stage="notice", message=f"left out {len(stream.dropped)} sentence(s) that no "
                                                          "paper found supports"))
    return {"messages": [{"role": "assistant", "content": reply, "draft": stream.draft}], "pending": {},
            "tool_calls": 0}


def _sources(state: ChatState) -> str:
    """Where the turn's search looked ("snapshot", "snapshot, library"), from its transcript line."""
    result = next((m["content"] for m in reversed(state["messages"]) if m["role"] == "tool"), "")
    found = re.match(r"\d+ papers from ([^:]+):", result)
    return found.group(1) if found else "snapshot"


@tracked("chat.answer")
def answer(state: ChatState, services: Services, runtime: Runtime) -> dict:
    message = last_user_message(state.get("messages", []))
    intent = state.get("intent", {})
    kind = intent.get("kind", "literature")
    last = state["messages"][-1]
    tool_result = last["content"] if last["role"] == "tool" else ""
    if tool_result.startswith("failed: "):
        return _say(runtime, replies.failed(tool_result))
    if kind in ("literature", "follow_up"):
        return _literature_answer(state, services, runtime, message, follow_up=kind == "follow_up")
    if kind == "small_talk":
        return _say(runtime, replies.small_talk(message))
    if kind in ("verify", "claim_status"):
        claim_id = intent.get("claim_ref") or (state.get("claims") or [{}])[-1].get("id", "")
        checked, _ = _claim_by_id(state, claim_id)
        if checked:
            return _say(runtime, replies.claim_record(checked))
        if intent.get("claim_ref"):
            return _say(runtime, f"There is no claim {intent['claim_ref']} in this conversation; /claims lists them.")
        return _say(runtime, "Which claim should I check? Write it out, e.g. \u201ccheck: SALT improves zero-shot "
                             "transfer on PAWS-X\u201d.")
    if kind == "extract_claims" and tool_result:
        paper_id = intent.get("paper_id", "")
        return _say(runtime, replies.extracted_record([c for c in state.get("extracted", [])
                                                       if c["paper_id"] == paper_id], paper_id))
    if kind == "test_claim" and not tool_result:
        return _say(runtime, f"There is no claim {intent.get('claim_ref', '')} in this conversation; /claims lists "
                             "them.")
    if kind == "run_experiment" and not tool_result:
        return _say(runtime, "Which languages should the experiment test zero-shot? For example: \u201crun an "
                             "experiment on XNLI for Swahili and Urdu\u201d (the model is fine-tuned on English).")
    if kind in ("experiment_status", "cancel_experiment") and not tool_result:
        return _say(runtime, "Which experiment? No experiment has been started in this conversation; give its job "
                             "id (agent experiment list shows them).")
    return _say(runtime, tool_result or replies.CAPABILITIES)
