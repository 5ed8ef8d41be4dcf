"""Each research-graph node on its own, against the scripted server and the real library."""

import json

from langgraph.runtime import Runtime

from agent.claims.answer import NO_EVIDENCE_ANSWER, keep_known_citations
from agent.claims.extraction import claims_from_output
from agent.claims.selection import select_claims
from agent.claims.verdicts import aggregate_judgments
from agent.graphs.context import RunContext
from agent.graphs.research.nodes.extract import extract
from agent.graphs.research.nodes.plan import plan
from agent.graphs.research.nodes.read import read
from agent.graphs.research.nodes.review import review
from agent.graphs.research.nodes.search import search
from agent.graphs.research.nodes.synthesize import synthesize
from agent.records import Claim, ClaimSource, Evidence, ExtractedClaim, ExtractionOutput, VerifiedClaim
from agent.report.review import rubric
from tests.conftest import EXAMPLE_QUESTION
from tools.papers import Paper
from tools.snapshot import snapshot_by_id
from tools.text import split_sentences


def _runtime(services, events=None):
    return Runtime(
        context=RunContext(services), stream_writer=(events.append if events is not None else lambda e: None)
    )


def test_plan_returns_cleaned_queries(scripted_services):
    events = []
    update = plan({"question": EXAMPLE_QUESTION}, _runtime(scripted_services, events))
    assert 3 <= len(update["queries"]) <= 6 and update["sub_questions"]
    assert events[0]["stage"] == "plan"
    assert scripted_services.tracker.per_node["plan"].llm_calls == 1


def test_search_and_read_put_the_best_papers_in_the_library(scripted_services):
    state = {"question": EXAMPLE_QUESTION, "queries": ["zero-shot cross-lingual transfer"]}
    found = search(state, _runtime(scripted_services))
    assert len(found["candidates"]) == scripted_services.settings.max_papers * 2
    read_update = read({**state, **found}, _runtime(scripted_services))
    assert len(read_update["papers"]) == scripted_services.settings.max_papers
    for paper in read_update["papers"]:
        assert scripted_services.library.get_paper(paper.id) is not None


def test_extract_quotes_come_from_the_papers_own_sentences(scripted_services):
    paper = snapshot_by_id()["2005.00633"]
    update = extract({"paper": paper, "rank": 2}, _runtime(scripted_services))
    claims = update["extracted"]
    assert 1 <= len(claims) <= scripted_services.settings.max_claims_per_paper
    for claim in claims:
        assert claim.paper_id == "2005.00633" and claim.quote in paper.abstract and claim.rank[0] == 2


def test_malformed_extractions_are_dropped_not_truncated():
    paper = Paper(id="p1", title="T", authors=["Ana Smith"], abstract="")
    sentences = split_sentences("XLM-R transfers well to German. We find it transfers poorly to Swahili. Short.")
    output = ExtractionOutput(claims=[
        ExtractedClaim(sentence=1, claim="XLM-R transfers well from English to German", kind="result"),
        ExtractedClaim(sentence=9, claim="Protein folding is solved by a new architecture.", kind="result"),
        ExtractedClaim(sentence=2, claim="Too short.", kind="result"),
        ExtractedClaim(sentence=1, claim="XLM-R transfers well from English to German.", kind="result"),
        ExtractedClaim(sentence=1, claim="We find XLM-R transfers poorly to Swahili.", kind="result"),
    ])
    claims = claims_from_output(output, sentences, paper, 0, limit=5)
    assert [c.text for c in claims] == ["XLM-R transfers well from English to German.",
                                        "Smith et al. find XLM-R transfers poorly to Swahili."]
    assert [c.quote for c in claims] == ["XLM-R transfers well to German.",
                                         "We find it transfers poorly to Swahili."]


def test_select_claims_spreads_the_budget_over_papers_and_numbers_them():
    extracted = [Claim(text=f"Paper {p} finding number {i} holds.", paper_id=f"p{p}", quote="q", rank=(p, i))
                 for p in range(3) for i in range(3)]
    extracted.append(Claim(text="Paper 0 finding number 0 holds!", paper_id="p9", quote="q", rank=(9, 0)))
    chosen = select_claims(list(reversed(extracted)), max_claims=5)
    assert [c.id for c in chosen] == ["C1", "C2", "C3", "C4", "C5"]
    assert {c.paper_id for c in chosen} == {"p0", "p1", "p2"}
    assert [c.rank for c in chosen] == sorted(c.rank for c in chosen)
    assert chosen[0].also_in == [ClaimSource(paper_id="p9", quote="q")], "the duplicate's source is kept"


def test_near_duplicate_claims_merge_across_papers_but_not_different_numbers():
    from tools.embeddings import default_embedder

    a = Claim(text="XLM-R reaches 79.2 accuracy on XNLI in zero-shot transfer from English.", paper_id="p1",
              quote="XLM-R obtains 79.2 on XNLI.", rank=(0, 0))
    b = Claim(text="In zero-shot transfer from English, XLM-R reaches 79.2 accuracy on XNLI.", paper_id="p2",
              quote="As reported, XLM-R gets 79.2.", rank=(1, 0))
    c = Claim(text="XLM-R reaches 75.1 accuracy on XNLI in zero-shot transfer from English.", paper_id="p3",
              quote="XLM-R obtains 75.1.", rank=(2, 0))
    d = Claim(text="Swahili benefits most from vocabulary extension of multilingual encoders.", paper_id="p4",
              quote="Swahili gains most.", rank=(3, 0))
    chosen = select_claims([d, c, b, a], max_claims=10, embed=default_embedder().embed)
    assert [x.paper_id for x in chosen] == ["p1", "p3", "p4"]
    assert chosen[0].also_in == [ClaimSource(paper_id="p2", quote="As reported, XLM-R gets 79.2.")]
    assert chosen[1].also_in == [], "a different number is a different finding"


def _evidence(stance, probabilities, is_source=False):
    return Evidence(paper_id="x", quote="q", stance=stance, probabilities=probabilities, is_source=is_source)


def test_aggregation_rule():
    support = _evidence("SUPPORTED", {"SUPPORTED": 0.9, "REFUTED": 0.05, "NOT_ENOUGH_INFO": 0.05}, True)
    refute = _evidence("REFUTED", {"SUPPORTED": 0.2, "REFUTED": 0.7, "NOT_ENOUGH_INFO": 0.1})
    neutral = _evidence("NOT_ENOUGH_INFO", {"SUPPORTED": 0.1, "REFUTED": 0.1, "NOT_ENOUGH_INFO": 0.8})
    assert aggregate_judgments([support, neutral]) == ("SUPPORTED", 0.9)
    verdict, confidence = aggregate_judgments([support, refute])
    assert verdict == "SUPPORTED" and abs(confidence - 0.9 * 0.3) < 1e-9  # contested: discounted
    assert aggregate_judgments([neutral, neutral]) == ("NOT_ENOUGH_INFO", 0.8)
    assert aggregate_judgments([]) == ("NOT_ENOUGH_INFO", 0.0)


def _verified(i, paper="p"):
    return VerifiedClaim(id=f"C{i}", text=f"Claim {i} says something.", paper_id=paper, quote="q",
                         verdict="SUPPORTED", confidence=0.8)


def test_synthesize_cites_only_known_claims_and_keeps_only_sentences_they_entail(scripted_services):
    update = synthesize({"question": EXAMPLE_QUESTION, "verified": [_verified(2), _verified(1)]},
                        _runtime(scripted_services))
    answer = update["answer"]
    assert "C999" not in answer and update["warnings"] and "C999" in update["warnings"][0]
    # the scripted writer's first finding restates C1 (entailed); "bear on the question only indirectly" and
    # "Only C1 speaks to the question directly" are entailed by nothing they cite: rewritten from their claims
    assert "only indirectly" not in answer and "speaks to the question" not in answer
    assert "Claim 1 says something [C1; arXiv:p]." in answer
    assert update["answer_check"] == {"sentences": 4, "citing": 4, "entailed": 1, "rewritten": 3, "removed": 0}
    # a template line is not an open point; a named one is
    assert answer.endswith("Not settled by the papers found: Whether the gains hold for Swahili on XNLI.")
    assert "rewritten" in update["warnings"][-1]


def test_synthesize_without_claims_says_the_question_is_not_answered(scripted_services):
    update = synthesize({"question": EXAMPLE_QUESTION, "verified": []}, _runtime(scripted_services))
    assert update["answer"] == NO_EVIDENCE_ANSWER


def test_keep_known_citations():
    answer, dropped = keep_known_citations("A [C1, C7] and B [C9]. C [C2].", {"C1", "C2"})
    assert answer == "A [C1] and B. C [C2]." and dropped == ["C7", "C9"]


def test_review_scores_each_criterion_from_label_probabilities(scripted_services, chat_server):
    before = len(chat_server.requests)
    state = {"question": EXAMPLE_QUESTION, "answer": "An answer [C1].", "verified": [_verified(1)],
             "answers_question": True, "answer_check": {"sentences": 1, "citing": 1, "entailed": 1}}
    update = review(state, _runtime(scripted_services))
    requests = chat_server.requests[before:]
    assert len(update["reviews"]) == len(rubric()) == len(requests)
    assert all(r["max_tokens"] == 1 and r["logprobs"] for r in requests), "one label token per criterion"
    assert [r["criterion"] for r in update["reviews"]] == rubric()
    assert all(criterion.split(":")[0] in request["messages"][1]["content"]
               for criterion, request in zip(rubric(), requests))
    first = update["reviews"][0]
    assert 3.5 < first["score"] < 4.2 and first["spread"] > 0 and first["capped_by"] is None  # P(4) 0.7, P(3), P(5)
    json.dumps(update)


def test_review_cannot_give_a_non_answer_top_marks(scripted_services):
    answer = "The papers found do not study STS training directly: none of the 1 verified claims is about it."
    state = {"question": EXAMPLE_QUESTION, "answer": answer, "verified": [_verified(1)], "answers_question": False,
             "answer_check": {"sentences": 2, "citing": 2, "entailed": 1}}
    scores = {r["criterion"].split(":")[0]: r for r in review(state, _runtime(scripted_services))["reviews"]}
    answers = scores["Answers the question"]
    assert answers["model_score"] > 4.5, "the scripted reviewer is fooled, as a 1.5B one is"
    assert answers["score"] == 2.0 and "do not study" in answers["capped_by"]
    assert scores["Faithful to sources"]["score"] <= 3.0, "half the cited sentences were not entailed"


def test_answer_says_so_when_no_claim_is_about_the_questions_focus():
    from agent.claims.answer import compose_answer
    from agent.records import synthesis_output_for

    claims = [_verified(1), _verified(2)]
    output = synthesis_output_for(["C1", "C2"])(
        question_focus="intermediate-task training on STS data", focus_claim_ids=["C1"],
        direct_answer="STS training helps a lot [C1].",
        findings=[{"statement": "Claims say something", "claim_ids": ["C2", "C1"]},
                  {"statement": "Intermediate-task training on STS data helps", "claim_ids": ["C1"]}],
        not_settled=[])
    answer, dropped, covered = compose_answer(output, claims)
    assert not covered and dropped == []
    assert answer.startswith("The papers found do not study intermediate-task training on STS data directly")
    assert "STS training helps" not in answer and "Claims say something [C1, C2]." in answer
    assert "STS data helps" not in answer, "a finding about the uncovered focus is dropped"


def test_answer_names_the_contested_claims():
    from agent.claims.answer import open_paragraph
    from agent.records import Evidence, synthesis_output_for

    refuted = _verified(2).model_copy(update={"verdict": "REFUTED"})
    split = _verified(3).model_copy(update={"evidence": [
        Evidence(paper_id="p", quote="q", stance="SUPPORTED"), Evidence(paper_id="o", quote="r", stance="REFUTED")]})
    output = synthesis_output_for(["C1", "C2", "C3"])(
        question_focus="x", focus_claim_ids=[], direct_answer="x",
        findings=[{"statement": "s", "claim_ids": ["C1"]}], not_settled=["Whether it holds for Urdu. "])
    assert open_paragraph(output, [_verified(1), refuted, split], ["Does it hold for Swahili?"]) == (
        "Not settled by the papers found: Whether it holds for Urdu; no claim found addresses \u201cDoes it hold for "
        "Swahili?\u201d. Contested (another paper about the same subject contradicts it; both quotes are in the "
        "claims table): [C3].")


def test_open_points_are_never_template_lines_or_prompt_echoes():
    from agent.claims.answer import clean_focus, open_paragraph
    from agent.records import synthesis_output_for

    output = synthesis_output_for(["C1"])(
        question_focus="X (for 'How does X affect Y for Z?', this is X)", focus_claim_ids=[], direct_answer="x",
        findings=[{"statement": "s", "claim_ids": ["C1"]}],
        not_settled=["The claims do not provide information on the specific limitations of the method.",
                     "a language, task, condition or comparison it asks about", "Whether it holds for Urdu"])
    assert open_paragraph(output, [_verified(1)]) == "Not settled by the papers found: Whether it holds for Urdu."
    question = "How does STS training affect transfer to Urdu?"
    restated = ["How does training on STS affect transfer to Urdu?", "Which tasks were tested?"]
    assert open_paragraph(output, [_verified(1)], restated, question) == (
        "Not settled by the papers found: Whether it holds for Urdu; no claim found addresses \u201cWhich tasks were "
        "tested?\u201d."), "a sub-question restating the question is not an open point"
    assert clean_focus(output.question_focus) == "X"
    assert clean_focus("for 'How does X affect Y for Z?', this is X") == "the question's subject"


def test_without_usable_findings_the_closest_claims_are_quoted():
    from agent.claims.answer import compose_answer
    from agent.records import synthesis_output_for

    claims = [_verified(1), VerifiedClaim(id="C2", text="XLM-R transfers poorly to Swahili.", paper_id="p",
                                          quote="q", verdict="SUPPORTED", confidence=0.9)]
    output = synthesis_output_for(["C1", "C2"])(
        question_focus="STS intermediate training", focus_claim_ids=[], direct_answer="x",
        findings=[{"statement": "STS intermediate training helps", "claim_ids": ["C1"]}], not_settled=[])
    answer, _, _ = compose_answer(output, claims, "Does STS training help transfer to Swahili?")
    assert answer.endswith("XLM-R transfers poorly to Swahili [C2]. Claim 1 says something [C1].")
