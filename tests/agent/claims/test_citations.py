from agent.claims.citations import cited_claim_ids, cited_paper_ids, drop_unknown_papers, paper_ref, with_paper_ids
from agent.records import Claim


def _claim(claim_id: str, paper_id: str) -> Claim:
    return Claim(id=claim_id, text="t", paper_id=paper_id, quote="q")


def test_claim_citations_gain_their_papers():
    claims = [_claim("C1", "2309.10891"), _claim("C2", "2309.10891"), _claim("C3", "local:notes")]
    answer = with_paper_ids("Helps [C1, C2]. Not always [C3]. Unknown [C9].", claims)
    assert answer == ("Helps [C1, C2; arXiv:2309.10891]. Not always [C3; local:notes]. Unknown [C9].")
    assert cited_claim_ids(answer) == ["C1", "C2", "C3", "C9"]
    assert cited_paper_ids(answer) == ["2309.10891", "local:notes"]


def test_paper_ids_in_running_text_are_found_without_trailing_punctuation():
    assert cited_paper_ids("As arXiv:2104.08645. and arXiv:hep-th/9901001, shown.") == ["2104.08645", "hep-th/9901001"]
    assert paper_ref("2104.08645") == "arXiv:2104.08645" and paper_ref("local:x") == "local:x"


def test_unknown_papers_are_removed_from_citations_and_text():
    text = "X [C1; arXiv:1111.11111, arXiv:2309.10891]. Also arXiv:1111.11111 says so."
    cleaned, dropped = drop_unknown_papers(text, {"2309.10891"})
    assert dropped == ["1111.11111"]
    assert cleaned == "X [C1; arXiv:2309.10891]. Also an unlisted paper says so."
    assert drop_unknown_papers("[C1; arXiv:1]", set()) == ("[C1]", ["1"])
