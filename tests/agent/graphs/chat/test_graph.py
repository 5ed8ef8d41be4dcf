"""The chat graph against the scripted model server: what a turn runs and what its answer rests on."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.claims.citations import cited_paper_ids
from agent.graphs.chat.graph import build_chat_graph
from agent.graphs.chat.prompt_context import conversation_block
from agent.graphs.chat.state import add_papers_in_order, merge_claims
from agent.graphs.chat.tools import ChatStep, ToolContext, ToolFailed, find_paper, search_papers
from agent.graphs.context import RunContext


def test_papers_keep_the_order_they_were_met_in():
    papers = add_papers_in_order([{"id": "a", "title": "A"}], [{"id": "b", "title": "B"}, {"id": "a", "title": "A"},
                                                       {"id": "b", "title": "B"}, {"id": "c", "title": "C"}])
    assert [p["id"] for p in papers] == ["a", "b", "c"]


def test_a_claim_checked_again_keeps_its_id_and_place():
    claims = merge_claims([{"id": "C1", "verdict": "NOT_ENOUGH_INFO"}, {"id": "C2", "verdict": "SUPPORTED"}],
                          [{"id": "C1", "verdict": "SUPPORTED"}, {"id": "C3", "verdict": "REFUTED"}])
    assert [(c["id"], c["verdict"]) for c in claims] == [("C1", "SUPPORTED"), ("C2", "SUPPORTED"), ("C3", "REFUTED")]


def test_conversation_block_shows_tool_results_as_data():
    block = conversation_block([{"role": "user", "content": "hi"},
                                {"role": "tool", "tool": "search_papers", "args": {}, "content": "x" * 5000}])
    assert block.startswith("USER: hi\nTOOL search_papers result: ") and len(block) < 1600


def test_tools_fail_with_a_message_the_user_can_act_on(scripted_services):
    with pytest.raises(ToolFailed, match="needs a query"):
        search_papers(ChatStep(action="search_papers"),
                      ToolContext(RunContext(scripted_services), {}, lambda r: False))
    with pytest.raises(ToolFailed, match="not found"):
        find_paper("0000.00000", scripted_services)


class _Turns:
    def __init__(self, services):
        self.graph, self.services, self.events = build_chat_graph(InMemorySaver()), services, []

    def __call__(self, text: str, thread: str = "t") -> dict:
        state = {}
        for mode, chunk in self.graph.stream(
                {"messages": [{"role": "user", "content": text}], "tool_calls": 0, "pending": {}},
                {"configurable": {"thread_id": thread}}, context=RunContext(self.services),
                stream_mode=["custom", "values"]):
            if mode == "custom":
                self.events.append(chunk)
            else:
                state = chunk
        return state


def _tools_run(state: dict, since: int) -> list[str]:
    return [m["tool"] for m in state["messages"][since:] if m["role"] == "tool"]


def test_a_literature_question_is_searched_first_and_answered_only_from_the_papers_found(scripted_services):
    turn = _Turns(scripted_services)
    state = turn("What do recent papers say about code-switching augmentation for zero-shot cross-lingual transfer?")
    assert _tools_run(state, 0) == ["search_papers"]
    reply = state["messages"][-1]["content"]
    found = set(state["turn_papers"])
    cited = set(cited_paper_ids(reply))
    assert cited and cited <= found, reply
    assert "Quantum gravity" not in reply, "a sentence no paper backs is left out"
    shown = "".join(e["text"] for e in turn.events if e.get("stage") == "token")
    assert "9999.99999" not in shown, "an invented id is never shown"


def test_a_follow_up_about_the_threads_papers_runs_no_tool_and_cites_only_them(scripted_services):
    turn = _Turns(scripted_services)
    first = turn("What do recent papers say about code-switching augmentation for zero-shot cross-lingual transfer?")
    state = turn("Which of those used XNLI?")
    assert _tools_run(state, len(first["messages"])) == []
    reply = state["messages"][-1]["content"]
    thread = {p["id"] for p in state["papers"]}
    cited = set(cited_paper_ids(reply))
    assert reply.startswith(("XNLI is mentioned in [", "None of the")) and cited <= thread, reply
    assert "arXiv:2309.10891" in reply, "SALT's abstract names XNLI"


def test_a_question_no_paper_addresses_is_answered_as_such_without_the_model(scripted_services):
    turn = _Turns(scripted_services)
    state = turn("What is the weather in Paris tomorrow?")
    assert _tools_run(state, 0) == ["search_papers"]
    assert state["messages"][-1]["content"].startswith("I found no paper in the snapshot that addresses this")


def test_is_a_claim_supported_is_answered_from_the_verifier_s_record(scripted_services):
    turn = _Turns(scripted_services)
    turn("check: SALT improves zero-shot cross-lingual transfer on PAWS-X without external parallel data "
         "(2309.10891)")
    state = turn("is C1 supported?")
    assert _tools_run(state, len(state["messages"]) - 2) == []  # already checked: no second run
    reply = state["messages"][-1]["content"]
    assert reply.startswith("C1 \u201cSALT improves") and "confidence" in reply and "arXiv:2309.10891" in reply
    assert turn("is C7 supported?")["messages"][-1]["content"].startswith("There is no claim C7")
