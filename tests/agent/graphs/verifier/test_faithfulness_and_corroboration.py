"""The verifier's two questions, against a scripted judge that says REFUTED to everything: a claim's own source
never refutes it (faithfulness), only a passage about the same subject that reports something can contradict it
(corroboration), and a passage about something else is not judged at all."""

import pytest

from agent.claims.verdicts import claim_standing
from agent.graphs.context import RunContext
from agent.graphs.verifier import verify
from agent.graphs.verifier.passages import same_subject
from agent.records import Claim
from agent.services import Services
from agent.settings import load_settings
from tests.conftest import TEST_API_KEY
from tests.support.chat_server import Reply, ScriptedChatServer

CLAIM = "XLM-R transfers better to German than to Swahili on every task."
SOURCE = "We find that XLM-R transfers better to German than to Swahili on XNLI, by 14 points of accuracy."


@pytest.fixture()
def refuting_services(data_dir, monkeypatch):
    def refute_everything(request: dict) -> Reply:
        return Reply("REF", [("REF", -0.1), ("SUP", -2.5), ("NOT", -3.0)])

    with ScriptedChatServer(refute_everything) as server:
        monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
        settings = load_settings(provider="openai", model="scripted", openai_base_url=server.base_url,
                                 data_dir=data_dir, offline=True)
        yield Services(settings=settings), server


def _passage(paper_id: str, text: str, is_source: bool, same: bool = True) -> dict:
    return {"paper_id": paper_id, "title": paper_id, "text": text, "is_source": is_source, "same_subject": same}


def test_a_claims_own_source_can_fail_to_entail_it_but_never_refutes_it(refuting_services):
    services, _ = refuting_services
    claim = Claim(id="C1", text=CLAIM, paper_id="src", quote=SOURCE)
    result = verify(claim, RunContext(services), passages=[_passage("src", SOURCE, True)])
    own = result.evidence[0]
    assert own.is_source and own.stance == "NOT_ENOUGH_INFO" and own.probabilities["REFUTED"] == 0.0
    assert result.verdict != "REFUTED" and result.faithfulness < 0.5
    assert claim_standing(result) == "single-source"


def test_a_users_claim_can_be_refuted_by_the_paper_it_is_about(refuting_services):
    services, _ = refuting_services
    claim = Claim(id="C1", text=CLAIM, paper_id="src", quote="")  # `agent verify`: no quote of its own
    result = verify(claim, RunContext(services), passages=[_passage("src", SOURCE, True)])
    assert result.verdict == "REFUTED" and result.faithfulness is None
    assert claim_standing(result) == "contested"


def test_only_a_passage_about_the_same_subject_that_reports_something_contradicts(refuting_services):
    services, server = refuting_services
    claim = Claim(id="C1", text=CLAIM, paper_id="src", quote=SOURCE)
    passages = [
        _passage("src", SOURCE, True),
        _passage("other", "Massively multilingual transformers have become a de facto default transfer paradigm.",
                 False),
        _passage("far", "We release a corpus of Urdu poetry.", False, same=False),
        _passage("rival", "XLM-R transfers to Swahili as well as to German on XNLI (72.1 against 72.4).", False),
    ]
    before = len(server.requests)
    result = verify(claim, RunContext(services), passages=passages)
    assert len(server.requests) - before == 3, "the passage about something else is never judged"
    by_paper = {e.paper_id: e for e in result.evidence}
    assert by_paper["far"].stance == "NOT_ENOUGH_INFO" and not by_paper["far"].same_subject
    assert by_paper["other"].stance == "NOT_ENOUGH_INFO", "a background sentence contradicts nothing"
    assert by_paper["rival"].stance == "REFUTED"
    assert claim_standing(result) == "contested"


def test_the_relevance_gate_needs_closeness_and_shared_content_words():
    assert same_subject(CLAIM, "XLM-R transfer to Swahili on XNLI lags German.", cosine=0.7)
    assert not same_subject(CLAIM, "XLM-R transfer to Swahili on XNLI lags German.", cosine=0.4)
    assert not same_subject(CLAIM, "Pretraining on more data helps summarisation models.", cosine=0.6)


def test_a_claim_that_is_its_own_quote_is_entailed_without_a_model_call(refuting_services):
    services, server = refuting_services
    claim = Claim(id="C1", text=SOURCE.replace("We find", "Conneau et al. find"), paper_id="src", quote=SOURCE)
    before = len(server.requests)
    result = verify(claim, RunContext(services), passages=[_passage("src", SOURCE, True)])
    assert len(server.requests) == before and result.faithfulness == 1.0 and result.verdict == "SUPPORTED"


def test_a_claim_judged_on_its_own_keeps_the_judges_stance(refuting_services):
    """The eval suites' oracle mode and `agent verify`: no quote of its own, no corroboration rules."""
    services, _ = refuting_services
    claim = Claim(id="C1", text=CLAIM, paper_id="", quote="")
    passage = _passage("other", "Massively multilingual transformers have become a de facto default paradigm.", False)
    result = verify(claim, RunContext(services), passages=[passage])
    assert result.evidence[0].stance == "REFUTED" and result.verdict == "REFUTED"
