"""`agent eval chat`: scripted multi-turn conversations through the chat graph, scored turn by turn.

Per turn:
- right tool: the tools the turn ran are exactly the ones the suite names (turns marked `null` not scored);
- unrequested side effect: a tool that starts or stops work ran where the suite names none (must be 0);
- for literature turns, grounded: the turn retrieved papers (a search in it, or papers already in the thread
  for a follow-up) and either every sentence of the answer that states something cites a paper the thread
  holds and restates one of that paper's sentences (MiniLM cosine ≥ GROUNDED_SIMILARITY, or a verbatim quote;
  a check independent of the chat's own lexical one), or the answer only says that the papers do not cover
  it; cites thread only: no cited id outside the thread; answered: at least one backed sentence (a finding,
  not only "the papers do not say");
- for off-topic turns: the answer says no paper addresses the question.
The baseline, scored in the same run by the same measure, is the model's draft before the chat's sentence
check (what the chat would show without it). Each conversation runs in a fresh thread; every experiment
approval is declined, so nothing is started. Rows are appended as conversations finish, so a run resumes.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from agent.claims.citations import cited_paper_ids
from agent.graphs.chat.graph import build_chat_graph
from agent.graphs.chat.grounding import says_nothing_found, without_citations
from agent.graphs.context import RunContext
from agent.services import Services
from evals.predictions import predict_resumably
from tools.text import split_sentences

SUITE = Path(__file__).parent / "suites" / "chat" / "conversations.jsonl"
SIDE_EFFECT_TOOLS = frozenset({"start_experiment", "cancel_experiment"})
GROUNDED_SIMILARITY = 0.5
QUOTE = re.compile(r"\u201c([^\u201d]{20,})\u201d")


@dataclass(frozen=True)
class Conversation:
    id: str
    split: str
    turns: list[dict]


def load_conversations(path: Path = SUITE, split: str = "all") -> list[Conversation]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Conversation(r["id"], r["split"], r["turns"]) for r in rows if split in ("all", r["split"])]


def _run_turn(graph, services: Services, thread: str, text: str) -> tuple[dict, float]:
    config = {"configurable": {"thread_id": thread}, "recursion_limit": 60}
    started = time.perf_counter()
    state = graph.invoke({"messages": [{"role": "user", "content": text}], "tool_calls": 0, "pending": {}}, config,
                         context=RunContext(services))
    while state.get("__interrupt__"):  # an experiment's approval: declined
        state = graph.invoke(Command(resume={"approve": False}), config, context=RunContext(services))
    return state, time.perf_counter() - started


class GroundingCheck:
    """Does each stating sentence of an answer restate a sentence of a paper it cites?"""

    def __init__(self, services: Services) -> None:
        self.embedder = services.library.embedder

    def sentences_backed(self, answer: str, papers: dict[str, dict]) -> tuple[int, int, bool]:
        """(stating sentences, those backed, whether every cited id is a thread paper)."""
        stating = [s for s in split_sentences(answer) if cited_paper_ids(s) or not says_nothing_found(s)]
        thread_only = all(pid in papers for pid in cited_paper_ids(answer))
        backed = 0
        for sentence in stating:
            cited = [pid for pid in cited_paper_ids(sentence) if pid in papers]
            if not cited:
                continue
            texts = " ".join(f"{papers[pid]['title']} {papers[pid].get('abstract', '')}" for pid in cited)
            quotes = QUOTE.findall(sentence)
            if quotes and all(quote.rstrip(".") in " ".join(texts.split()) for quote in quotes):
                backed += 1  # a record quoting the papers verbatim ("XNLI is mentioned in [2] … (“…”)")
                continue
            candidates = [c for pid in cited for c in [papers[pid]["title"],
                                                       *split_sentences(papers[pid].get("abstract", ""))]]
            words = without_citations(sentence)
            for pid in cited:  # a restated title is metadata, not what the sentence claims
                words = words.replace(papers[pid]["title"], " ")
            vectors = self.embedder.embed([words, *candidates])
            if float(np.max(vectors[1:] @ vectors[0])) >= GROUNDED_SIMILARITY:
                backed += 1
        return len(stating), backed, thread_only


def score_turn(turn: dict, state: dict, before: int, check: GroundingCheck) -> dict:
    messages = state["messages"][before:]
    tools = [m["tool"] for m in messages if m["role"] == "tool"]
    reply = next((m for m in reversed(messages) if m["role"] == "assistant"), {"content": ""})
    papers = {p["id"]: p for p in state.get("papers", [])}
    expected = turn["tools"]
    row = {"user": turn["user"], "expected_tools": expected, "tools": tools, "intent": state.get("intent", {}),
           "answer": reply["content"], "draft": reply.get("draft"), "kind": turn["answer"],
           "right_tool": None if expected is None else sorted(tools) == sorted(expected),
           "unrequested_side_effect": bool(set(tools) & SIDE_EFFECT_TOOLS - set(expected or []))}
    if turn["answer"] == "literature":
        retrieved = "search_papers" in tools or (bool(papers) and not tools)
        for name, text in (("", reply["content"]), ("draft_", reply.get("draft", reply["content"]))):
            stating, backed, thread_only = check.sentences_backed(text, papers)
            says_not_covered = stating == 0 and bool(text.strip())
            row[f"{name}grounded"] = retrieved and thread_only and (backed == stating > 0 or says_not_covered)
            row[f"{name}cites_thread_only"] = thread_only
            row[f"{name}sentences"], row[f"{name}backed"] = stating, backed
        row["answered"] = row["backed"] > 0
    if turn["answer"] == "none_found":
        row["says_none_found"] = reply["content"].startswith("I found no paper")
    return row


def run_conversation(conversation: Conversation, services: Services, check: GroundingCheck) -> dict:
    graph = build_chat_graph(InMemorySaver())
    rows, before = [], 0
    for turn in conversation.turns:
        state, seconds = _run_turn(graph, services, conversation.id, turn["user"])
        rows.append({**score_turn(turn, state, before, check), "seconds": round(seconds, 1)})
        before = len(state["messages"])
    return {"id": conversation.id, "split": conversation.split, "turns": rows}


def _share(rows: list[dict], key: str) -> dict:
    scored = [r[key] for r in rows if r.get(key) is not None]
    return {"share": round(sum(scored) / len(scored), 3) if scored else None, "of": len(scored)}


def summarise(conversations: list[dict]) -> dict:
    by_split = {}
    for split in ("tune", "held_out", "all"):
        turns = [t for c in conversations if split in ("all", c["split"]) for t in c["turns"]]
        if not turns:
            continue
        literature = [t for t in turns if t["kind"] == "literature"]
        by_split[split] = {
            "conversations": sum(1 for c in conversations if split in ("all", c["split"])), "turns": len(turns),
            "right_tool": _share(turns, "right_tool"),
            "unrequested_side_effects": sum(t["unrequested_side_effect"] for t in turns),
            "grounded": _share(literature, "grounded"), "draft_grounded": _share(literature, "draft_grounded"),
            "cites_thread_only": _share(literature, "cites_thread_only"),
            "draft_cites_thread_only": _share(literature, "draft_cites_thread_only"),
            "answered": _share(literature, "answered"),
            "says_none_found": _share([t for t in turns if t["kind"] == "none_found"], "says_none_found"),
            "seconds_per_turn": round(float(np.mean([t["seconds"] for t in turns])), 1),
        }
    return by_split


def run_chat_eval(services: Services, out_dir: Path, split: str = "held_out", limit: int | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> dict:
    conversations = load_conversations(split=split)[:limit]
    out_dir.mkdir(parents=True, exist_ok=True)
    check = GroundingCheck(services)
    rows, _, seconds = predict_resumably(conversations, lambda c: c.id,
                                         lambda c: run_conversation(c, services, check),
                                         out_dir / "predictions.jsonl", on_progress=on_progress)
    done = [rows[c.id] for c in conversations]
    metrics = {"suite": "chat", "split": split, "provider": {"name": services.provider.name,
                                                              "model": services.provider.model},
               "seconds": round(seconds, 1), "by_split": summarise(done)}
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    return metrics
