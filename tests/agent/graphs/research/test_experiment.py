"""The research graph's experiment step: proposal by the model, approval by interrupt, a real local run, the report.

The scripted chat server proposes an XNLI run (de, sw) when the question asks for an experiment; the worker
fine-tunes the converted encoder on the tiny defaults of the `experiment_settings` fixture (conftest).
"""

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agent.graphs.context import RunContext
from agent.graphs.research.nodes.propose_experiment import propose_experiment
from agent.graphs.research.run import run_research
from agent.graphs.research.state import ResearchState
from agent.services import Services
from tests.conftest import EXAMPLE_QUESTION

ASKING = EXAMPLE_QUESTION + " Run an experiment to check."


@pytest.fixture()
def settings(experiment_settings):
    return experiment_settings


def _proposal_graph():
    graph = StateGraph(ResearchState, context_schema=Services)
    graph.add_node("propose_experiment", propose_experiment)
    graph.add_edge(START, "propose_experiment")
    graph.add_edge("propose_experiment", END)
    return graph.compile(checkpointer=InMemorySaver())


def test_approved_experiment_runs_and_lands_in_the_report(settings, tmp_path):
    asked = []

    def approve(payload):  # the question's run; the claims' tests (asked for separately) are declined here
        asked.append(payload)
        return {"approve": not payload.get("claims")}

    report = run_research(ASKING, Services(settings=settings), tmp_path / "run", experiments="ask",
                          on_interrupt=approve)
    assert asked[0]["kind"] == "approve_experiment" and not asked[0].get("claims")
    assert all(request.get("claims") for request in asked[1:])  # at most one more question: the claim tests
    assert asked[0]["spec"]["task"] == "xnli" and asked[0]["spec"]["eval_languages"] == ["en", "de", "sw"]
    assert "minutes" in asked[0]["estimate"]
    [experiment] = report.experiments
    assert experiment.status == "SUCCEEDED", experiment.notes
    assert [r.language for r in experiment.per_language] == ["en", "de", "sw"]
    assert all(0 <= r.accuracy <= 1 for r in experiment.per_language)
    assert (
        experiment.per_language[2].published.model == "XLM-R" and experiment.per_language[2].published.accuracy == 0.665
    )
    assert (tmp_path / "run" / "figures" / "experiment-1.png").exists()
    assert '<section id="experiments">' in (tmp_path / "run" / "report.html").read_text()
    assert "## Experiments" in (tmp_path / "run" / "report.md").read_text()


def test_declined_experiment_is_not_run_and_the_report_says_so(settings):
    graph = _proposal_graph()
    config = {"configurable": {"thread_id": "declined"}}
    context = RunContext(Services(settings=settings))
    first = graph.invoke({"question": ASKING, "experiment_policy": "ask"}, config, context=context)
    assert first["__interrupt__"][0].value["spec"]["task"] == "xnli"
    final = graph.invoke(Command(resume={"approve": False}), config, context=context)
    assert not final.get("experiment_specs")
    assert any("was not approved" in w for w in final["warnings"])


def test_yes_approves_up_front_and_no_never_asks_the_model(settings, chat_server):
    graph = _proposal_graph()
    services = Services(settings=settings)
    approved = graph.invoke({"question": ASKING, "experiment_policy": "yes"}, {"configurable": {"thread_id": "y"}},
                            context=RunContext(services))
    assert approved["experiment_specs"][0].data.max_train_examples == 16, "the user's defaults are kept"
    before = len(chat_server.requests)
    never = graph.invoke({"question": ASKING, "experiment_policy": "no"}, {"configurable": {"thread_id": "n"}},
                         context=RunContext(services))
    assert not never.get("experiment_specs") and len(chat_server.requests) == before
    unrelated = graph.invoke({"question": "Which optimizer trains GPT-2 fastest?", "experiment_policy": "yes"},
                             {"configurable": {"thread_id": "u"}}, context=RunContext(services))
    assert not unrelated.get("experiment_specs") and len(chat_server.requests) == before


def test_broken_experiment_defaults_are_a_warning_not_a_crash(settings, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("hyper_parameters: [unclosed\n")
    graph = _proposal_graph()
    context = RunContext(Services(settings=settings.model_copy(update={"experiment_defaults": broken})))
    final = graph.invoke({"question": ASKING, "experiment_policy": "yes"}, {"configurable": {"thread_id": "b"}},
                         context=context)
    assert not final.get("experiment_specs")
    assert any("is not valid YAML" in w for w in final["warnings"])
