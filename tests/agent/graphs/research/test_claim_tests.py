"""Claims tested by experiment in the research graph: proposed from the verified claims, asked for once, run on
the local backend (the real worker, tiny defaults), measured, and shown in the report beside the literature.
(The runs a source-language claim needs are tested in tests/agent/experiments/test_claim_tests.py.)"""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agent.graphs.context import RunContext
from agent.graphs.research.nodes.await_experiment import await_experiment
from agent.graphs.research.nodes.propose_experiment import propose_experiment
from agent.graphs.research.nodes.submit_experiment import submit_experiment
from agent.graphs.research.state import ResearchState
from agent.records import VerifiedClaim
from agent.report.html import render_html
from agent.report.markdown import render_markdown
from agent.services import Services
from tests.support.sample_report import sample_report

TURC = ("Turc et al. find that other high-resource languages such as German and Russian often transfer more "
        "effectively, especially when the set of target languages is diverse or unknown a priori.")
GERMAN = "Zero-shot cross-lingual transfer to German is stronger than to Swahili."
SALT = "SALT improves zero-shot cross-lingual transfer on XNLI and PAWS-X."


def _graph():
    graph = StateGraph(ResearchState, context_schema=RunContext)
    for name, node in (("propose", propose_experiment), ("submit", submit_experiment), ("wait", await_experiment)):
        graph.add_node(name, node)
    graph.add_edge(START, "propose")
    graph.add_edge("propose", "submit")
    graph.add_edge("submit", "wait")
    graph.add_edge("wait", END)
    return graph.compile(checkpointer=InMemorySaver())


def _claim(cid: str, text: str) -> VerifiedClaim:
    return VerifiedClaim(id=cid, text=text, paper_id="2106.16171", quote=text, verdict="SUPPORTED", confidence=0.8)


def test_a_testable_claim_is_asked_for_run_measured_and_reported(experiment_settings):
    graph = _graph()
    config = {"configurable": {"thread_id": "claim-test"}}
    context = RunContext(Services(settings=experiment_settings))
    start = {"question": "Which languages are the best sources?", "experiment_policy": "ask",
             "verified": [_claim("C1", SALT), _claim("C2", GERMAN)]}
    first = graph.invoke(start, config, context=context)
    [asked] = first["__interrupt__"]
    assert asked.value["claims"] == ["C2: " + asked.value["claims"][0].split(": ", 1)[1]]
    assert len(asked.value["specs"]) == 1 and "CPU-minutes" in asked.value["estimate"]
    final = graph.invoke(Command(resume={"approve": True}), config, context=context)
    untestable = {n.claim_id: n.reason for n in final["claims_untestable"]}
    assert "SALT" in untestable["C1"]
    [evidence] = final["claim_evidence"]
    assert evidence.claim_id == "C2" and evidence.outcome in ("reproduced", "not reproduced", "inconclusive")
    assert evidence.seeds == 3 and evidence.items > 0 and len(evidence.jobs) == 1
    assert {a.language for a in evidence.accuracies} == {"en", "de", "sw"}
    assert "acc(en->de) > acc(en->sw)" in evidence.prediction
    assert len(final["experiments"]) == 1  # the run is also an experiment of the report

    report = sample_report()
    report.claims[0] = report.claims[0].model_copy(update={"experiment": evidence})
    markdown = render_markdown(report)
    assert "## Claims tested by experiment" in markdown and f"### {report.claims[0].id}: {evidence.outcome}" in markdown
    assert "tests the direction of the claim, not its numbers" in markdown
    # the answer says what the test found, in a paragraph the program writes beside the model's answer
    answer = markdown.split("## Answer", 1)[1].split("## Method", 1)[0]
    assert "Tested here by experiment" in answer and f"{report.claims[0].id} (" in answer and evidence.brief in answer
    assert "Tested here by experiment" in render_html(report)


def test_declined_tests_run_nothing_and_no_policy_asks_nothing(experiment_settings, chat_server):
    graph = _graph()
    context = RunContext(Services(settings=experiment_settings))
    config = {"configurable": {"thread_id": "declined-test"}}
    start = {"question": "Which languages are the best sources?", "experiment_policy": "ask",
             "verified": [_claim("C2", TURC)]}
    graph.invoke(start, config, context=context)
    final = graph.invoke(Command(resume={"approve": False}), config, context=context)
    assert not final.get("claim_evidence") and any("were not approved" in w for w in final["warnings"])
    before = len(chat_server.requests)
    never = graph.invoke({**start, "experiment_policy": "no"}, {"configurable": {"thread_id": "n"}}, context=context)
    assert not never.get("claim_tests") and len(chat_server.requests) == before
