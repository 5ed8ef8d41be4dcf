from agent.claims.verdicts import claim_standing
from agent.records import ClaimSource, Evidence, VerifiedClaim
from agent.report.checks import citation_problems, computed_checks, is_verbatim, table_order
from agent.report.model import Share
from tests.support.sample_report import sample_report


def _claim(quote: str, *evidence: Evidence, also_in: bool = False) -> VerifiedClaim:
    return VerifiedClaim(id="C1", text="XLM-R transfers well to German.", paper_id="a", quote=quote,
                         verdict="SUPPORTED", confidence=0.9, evidence=list(evidence),
                         also_in=[ClaimSource(paper_id="c", quote="x")] if also_in else [])


def test_standing_separates_the_claims_own_source_from_other_papers():
    own = Evidence(paper_id="a", quote="q", stance="SUPPORTED", is_source=True)
    supports = Evidence(paper_id="b", quote="q", stance="SUPPORTED")
    contradicts = Evidence(paper_id="b", quote="q", stance="REFUTED")
    unrelated = Evidence(paper_id="b", quote="q", stance="REFUTED", same_subject=False)
    assert claim_standing(_claim("q", own)) == "single-source"
    assert claim_standing(_claim("q", own, supports)) == "corroborated"
    assert claim_standing(_claim("q", own, also_in=True)) == "corroborated"
    assert claim_standing(_claim("q", own, supports, contradicts)) == "contested"
    assert claim_standing(_claim("q", own, unrelated)) == "single-source", "an unrelated passage contradicts nothing"
    # a user's claim (no quote of its own): its source paper may contradict it
    refuting_source = Evidence(paper_id="a", quote="q", stance="REFUTED", is_source=True)
    assert claim_standing(_claim("", refuting_source)) == "contested"


def test_table_puts_claims_about_the_question_then_corroborated_then_contested_first():
    assert [c.id for c in table_order(sample_report().claims)] == ["C1", "C2", "C4", "C3"]


def test_verbatim_allows_only_whitespace_and_unicode_form_differences():
    text = "We find that  intermediate\ntraining helps ﬁne-tuning."
    assert is_verbatim("intermediate training helps fine-tuning.", [text])
    assert not is_verbatim("intermediate training helps a lot.", [text])
    assert not is_verbatim("", [text]) and not is_verbatim("x", [])


def test_sample_report_is_consistent_and_broken_reports_are_caught():
    report = sample_report()
    assert citation_problems(report) == []
    report.answer += " [C7] and arXiv:9999.99999"
    report.papers.append(report.papers[0].model_copy(update={"id": "1234.56789"}))
    problems = citation_problems(report)
    assert "the answer cites C7, which is not a claim of this report" in problems
    assert "paper 9999.99999 is cited but has no reference" in problems
    assert "reference 1234.56789 is cited by nothing" in problems


def test_computed_checks_count_from_the_report():
    report = sample_report()
    checks = computed_checks(report, claims_extracted=10, evidence_verbatim=lambda pid, quote: pid == "2005.13013")
    assert checks.claims_with_verbatim_quote == Share.of(3, 4)
    assert checks.evidence_quotes_verbatim == Share(count=1, total=4, value=0.25)
    assert checks.references_cited_in_answer.value == 1.0  # C1 brings 2104.08645 in through its duplicate
    assert checks.claims_verified == Share.of(4, 10)
    assert checks.answer_citations_resolved == Share.of(6, 6)
    assert Share.of(0, 0).value is None


def test_an_older_report_with_the_old_standings_still_loads():
    from agent.report.model import Report

    data = sample_report().model_dump(mode="json")
    data["claims"][0]["standing"], data["claims"][2]["standing"] = "strong", "open"
    claims = Report.model_validate(data).claims
    assert claims[0].standing == claims[2].standing == "single-source" and claims[1].standing == "contested"
