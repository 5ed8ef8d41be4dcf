"""Experiments from the chat: start (with the approval interrupt), watch and cancel, through the chat graph.

The program picks the tools (`agent/graphs/chat/intent.py`); the jobs are real local runs of the worker on the
converted encoder with the tiny defaults of the `experiment_settings` fixture.
"""

import re

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from agent.graphs.chat.graph import build_chat_graph
from agent.graphs.context import RunContext
from agent.services import Services

JOB_ID = re.compile(r"\b(?:xnli|pawsx)-[0-9a-f]{12}\b")


def _turn(graph, services, thread: str, text: str, resume=None) -> dict:
    config = {"configurable": {"thread_id": thread}}
    if resume is not None:
        return graph.invoke(Command(resume=resume), config, context=RunContext(services))
    return graph.invoke({"messages": [{"role": "user", "content": text}], "tool_calls": 0, "pending": {}}, config,
                        context=RunContext(services))


def _tool_results(state: dict, tool: str) -> list[str]:
    return [m["content"] for m in state["messages"] if m["role"] == "tool" and m["tool"] == tool]


@pytest.fixture()
def chat(experiment_settings):
    return build_chat_graph(InMemorySaver()), Services(settings=experiment_settings)


def test_an_approved_experiment_runs_and_its_results_come_back_beside_the_published_ones(chat, experiment_settings):
    graph, services = chat
    asked = _turn(graph, services, "t1", "Run an experiment on PAWS-X for German and French.")
    [question] = asked["__interrupt__"]
    assert question.value["kind"] == "approve_experiment"
    assert question.value["spec"]["task"] == "pawsx" and question.value["spec"]["eval_languages"] == ["en", "de", "fr"]
    assert "CPU-minutes" in question.value["estimate"] or "GPU-minutes" in question.value["estimate"]

    state = _turn(graph, services, "t1", "", resume={"approve": True})
    [started] = _tool_results(state, "start_experiment")
    job_id = JOB_ID.search(started).group(0)
    assert "submitted on local" in started
    record = Services(settings=experiment_settings).experiments.wait(job_id, first_poll=0.5, max_poll=1, timeout=240)
    assert record.status == "SUCCEEDED", Services(settings=experiment_settings).experiments.logs(job_id)

    state = _turn(graph, services, "t1", f"How is experiment {job_id} doing?")
    [status] = _tool_results(state, "experiment_status")
    assert status.startswith(f"experiment {job_id} SUCCEEDED: en ")
    assert re.search(r"de 0\.\d{3} \(published mBERT 0\.\d{3}\)", status), status
    assert state["messages"][-1]["content"] == status, "the tool's record is the answer, not a restatement of it"


def test_a_declined_experiment_starts_nothing(chat, experiment_settings):
    graph, services = chat
    _turn(graph, services, "t2", "Run an experiment on XNLI for Spanish.")
    state = _turn(graph, services, "t2", "", resume={"approve": False})
    [declined] = _tool_results(state, "start_experiment")
    assert declined.startswith("the user did not approve the experiment")
    assert not [
        r for r in Services(settings=experiment_settings).experiments.list() if r.spec.eval_languages == ["en", "es"]
    ]


@pytest.mark.faults
def test_a_running_experiment_is_cancelled_from_the_chat(chat, experiment_settings):
    graph, services = chat
    _turn(graph, services, "t3", "Run an experiment on XNLI for Chinese.")
    state = _turn(graph, services, "t3", "", resume={"approve": True})
    job_id = JOB_ID.search(_tool_results(state, "start_experiment")[0]).group(0)
    state = _turn(graph, services, "t3", f"Cancel experiment {job_id}, it is not needed.")
    assert _tool_results(state, "cancel_experiment") == [f"experiment {job_id}: CANCELLED"]
    assert Services(settings=experiment_settings).experiments.load(job_id).status == "CANCELLED"


def test_a_tool_that_stops_work_runs_only_when_the_user_asked(chat):
    graph, services = chat
    state = _turn(graph, services, "t4", "which of those used Quechua? Cancel nothing.")
    assert not _tool_results(state, "cancel_experiment") and state["messages"][-1]["role"] == "assistant"
    state = _turn(graph, services, "t4", "What have papers found about translate-train compared with zero-shot "
                                         "transfer on XNLI?")
    assert not _tool_results(state, "start_experiment") and _tool_results(state, "search_papers")


def test_an_experiment_request_without_languages_asks_for_them(chat):
    graph, services = chat
    state = _turn(graph, services, "t5", "Run an experiment on XNLI.")
    assert not _tool_results(state, "start_experiment")
    assert state["messages"][-1]["content"].startswith("Which languages should the experiment test")


def test_a_claim_of_the_thread_is_tested_by_running_it(chat):
    graph, services = chat
    state = _turn(graph, services, "t6", "check: Zero-shot cross-lingual transfer to German is stronger than to "
                                         "Swahili.")
    [claim] = [c for c in state["claims"]]
    asked = _turn(graph, services, "t6", f"Can you check {claim['id']} by running it?")
    [question] = asked["__interrupt__"]
    assert question.value["claims"] == [f"{claim['id']}: acc(en->de) > acc(en->sw), zero-shot on xnli"]
    state = _turn(graph, services, "t6", "", resume={"approve": True})
    [tested] = _tool_results(state, "test_claim")
    assert re.match(rf"{claim['id']} tested by experiment: (reproduced|not reproduced|inconclusive)", tested), tested
    assert "seeds in the claim's direction" in tested
    assert "direction of the claim, not its numbers" in tested

    untestable = _turn(graph, services, "t7", "check: SALT improves zero-shot cross-lingual transfer on XNLI.")
    cid = untestable["claims"][0]["id"]
    state = _turn(graph, services, "t7", f"Can you test {cid} by running an experiment?")
    [answer] = _tool_results(state, "test_claim")
    assert answer.startswith(f"{cid} cannot be tested by experiment here: about a specific method's gain "
                             "or a benchmark the worker does not run (SALT)")
