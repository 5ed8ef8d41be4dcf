"""The verifier graph compiled and run on its own."""

from agent.records import Claim
from agent.verifier import build_verifier_graph
from tools.snapshot import snapshot_by_id


def test_verifier_judges_the_source_and_other_papers(scripted_services, chat_server):
    library = scripted_services.library
    papers = snapshot_by_id()
    library.add_papers([papers["2005.00633"], papers["2309.10891"], papers["2104.08645"]])
    source = papers["2005.00633"]
    sentence = next(s for s in source.abstract.split(". ") if "low-resource" in s or "transfer" in s)
    claim = Claim(id="C1", text=sentence, paper_id=source.id, quote=sentence)
    before = len(chat_server.requests)
    result = build_verifier_graph().invoke({"claim": claim}, context=scripted_services)["result"]
    judged = chat_server.requests[before:]
    assert all(r["logprobs"] and r["max_tokens"] == 1 for r in judged)
    assert result.verdict == "SUPPORTED" and 0 < result.confidence <= 1
    assert result.evidence[0].is_source and result.evidence[0].quote == sentence
    others = [e for e in result.evidence if not e.is_source]
    assert others and all(e.paper_id != source.id for e in others)
    assert all(e.quote in papers[e.paper_id].abstract for e in others)
    assert len(judged) == len(result.evidence)
    assert result.calibrated is False


def test_claim_of_an_unknown_paper_is_not_enough_info(scripted_services):
    claim = Claim(id="C1", text="Nothing anywhere supports this odd claim.", paper_id="9999.99999", quote="x")
    scripted_services.settings.max_evidence_per_claim = 0
    result = build_verifier_graph().invoke({"claim": claim}, context=scripted_services)["result"]
    assert result.verdict == "NOT_ENOUGH_INFO" and result.evidence == []
