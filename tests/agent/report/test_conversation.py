"""A report written from a chat conversation: its checked claims, their papers, the last answer."""

from agent.records import Evidence, VerifiedClaim
from agent.report.checks import citation_problems
from agent.report.conversation import report_from_conversation
from agent.report.files import write_report_files
from tools.snapshot import snapshot_by_id


def test_report_from_a_conversation(scripted_services, tmp_path):
    salt = snapshot_by_id()["2309.10891"]
    scripted_services.library.add_papers([salt])
    quote = next(s for s in salt.abstract.split(". ") if "PAWS-X" in s)
    claim = VerifiedClaim(id="x", text="SALT improves transfer on PAWS-X.", paper_id=salt.id, quote=quote,
                          verdict="SUPPORTED", confidence=0.9, calibrated=True,
                          evidence=[Evidence(paper_id=salt.id, quote=quote, stance="SUPPORTED")])
    conversation = {
        "messages": [
            {"role": "user", "content": "Does SALT help on PAWS-X?"},
            {"role": "tool", "tool": "search_arxiv", "args": {"query": "SALT PAWS-X"}, "content": "…"},
            {"role": "assistant", "content": "Yes, arXiv:2309.10891 reports gains."},
        ],
        "papers": [{"id": salt.id, "title": salt.title}],
        "claims": [claim.model_dump(mode="json")],
    }
    report = report_from_conversation(conversation, scripted_services, wall_seconds=1.0)
    assert report.question == "Does SALT help on PAWS-X?" and report.queries == ["SALT PAWS-X"]
    assert [c.id for c in report.claims] == ["C1"] and report.claims[0].standing == "single-source"
    assert report.claims[0].quote_verbatim is True and report.review.checks.claims_with_verbatim_quote.value == 1.0
    assert citation_problems(report) == []
    written = write_report_files(report, tmp_path)
    assert (tmp_path / "report.html").exists() and (tmp_path / "references.bib").exists() and len(written) == 5
