"""Pieces of the chat graph: the order papers are met in, the citation guard, and tools that fail."""

from agent.graphs.chat.guard import CitationGuard
from agent.graphs.chat.nodes import resolve_list_number
from agent.graphs.chat.prompt_context import conversation_block, papers_block
from agent.graphs.chat.state import add_papers_in_order
from agent.graphs.chat.tools import ChatStep, ToolContext, ToolFailed, find_paper, search_library
from agent.graphs.context import RunContext


def test_papers_keep_the_order_they_were_met_in():
    papers = add_papers_in_order([{"id": "a", "title": "A"}], [{"id": "b", "title": "B"}, {"id": "a", "title": "A"},
                                                       {"id": "b", "title": "B"}, {"id": "c", "title": "C"}])
    assert [p["id"] for p in papers] == ["a", "b", "c"]
    assert papers_block(papers).splitlines()[1] == "[2] arXiv:b B (n.d.)"


def test_conversation_block_shows_tool_results_as_data():
    block = conversation_block([{"role": "user", "content": "hi"},
                                {"role": "tool", "tool": "search_arxiv", "args": {}, "content": "x" * 5000}])
    assert block.startswith("USER: hi\nTOOL search_arxiv result: ") and len(block) < 1600


def test_citation_guard_replaces_unknown_ids_before_they_are_streamed(scripted_services):
    guard = CitationGuard({"2309.10891"}, scripted_services.library)
    pieces = ["See arXiv:2309.", "10891 and arX", "iv:9999.99999", " too."]
    shown = "".join(guard.feed(p) for p in pieces) + guard.flush()
    assert shown == "See arXiv:2309.10891 and an unlisted paper too."
    assert guard.dropped == ["9999.99999"]


def test_tools_fail_with_a_message_the_user_can_act_on(scripted_services):
    import pytest

    with pytest.raises(ToolFailed, match="needs a query"):
        search_library(
            ChatStep(action="search_library"), ToolContext(RunContext(scripted_services), {}, lambda r: False)
        )
    with pytest.raises(ToolFailed, match="not found"):
        find_paper("0000.00000", scripted_services)


def test_list_numbers_name_the_threads_papers():
    papers = [{"id": "2309.10891"}, {"id": "2106.16171"}]
    assert resolve_list_number("2", papers) == "2106.16171" and resolve_list_number("[1]", papers) == "2309.10891"
    assert resolve_list_number("3", papers) == "3" and resolve_list_number("2104.08645", papers) == "2104.08645"
