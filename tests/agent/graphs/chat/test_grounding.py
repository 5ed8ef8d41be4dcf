"""A literature answer rests on the thread's papers sentence by sentence, before it is shown."""

import numpy as np

from agent.graphs.chat.grounding import (
    GroundedStream,
    evidence_lines,
    extractive_answer,
    relevant,
    similarities,
)

SUPPORT = {
    "2309.10891": "Self-Augmentation Improves Zero-Shot Cross-Lingual Transfer. We propose SALT, which uses "
                  "code-switching and embedding mixup to improve zero-shot transfer on XNLI and PAWS-X without "
                  "external parallel data.",
    "2106.16171": "Revisiting the Primacy of English. German and Russian often transfer more effectively than "
                  "English as source languages.",
}


def _stream(pieces: list[str]) -> tuple[str, GroundedStream]:
    stream = GroundedStream(dict(SUPPORT))
    shown = "".join(stream.feed(piece) for piece in pieces) + stream.flush()
    return shown.strip(), stream


def test_a_cited_sentence_its_paper_backs_is_shown_as_written():
    shown, stream = _stream(["SALT uses code-switching and embedding mixup to improve zero-shot ",
                             "transfer (arXiv:2309.10891). German"])
    assert shown.startswith("SALT uses code-switching and embedding mixup to improve zero-shot transfer "
                            "(arXiv:2309.10891).")
    assert len(stream.kept) == 1 and not stream.dropped


def test_a_sentence_citing_the_wrong_paper_moves_to_the_paper_it_restates():
    shown, _ = _stream(["German and Russian often transfer more effectively than English (arXiv:2309.10891)."])
    assert shown == "German and Russian often transfer more effectively than English (arXiv:2106.16171)."


def test_an_uncited_restatement_gets_its_citation_and_an_unbacked_sentence_is_left_out():
    shown, stream = _stream(["SALT improves zero-shot transfer on XNLI without parallel data. ",
                             "Quantum gravity explains transfer. ", "It is also shown by arXiv:9999.99999."])
    assert shown == "SALT improves zero-shot transfer on XNLI without parallel data (arXiv:2309.10891)."
    assert stream.dropped == ["Quantum gravity explains transfer.", "It is also shown by an unlisted paper."]
    assert stream.removed_ids == ["9999.99999"]


def test_saying_the_papers_do_not_cover_something_needs_no_citation():
    shown, stream = _stream(["The papers found do not report results for Quechua."])
    assert shown == "The papers found do not report results for Quechua." and not stream.dropped


def test_evidence_is_the_sentences_closest_to_the_question_in_search_order():
    papers = [{"id": "a", "title": "A", "year": 2020, "abstract": "Intro sentence. Transfer to Swahili is weak. "
                                                                  "Other."},
              {"id": "b", "title": "B", "year": None, "abstract": "Nothing shared here."}]
    lines = evidence_lines("Is transfer to Swahili weak?", papers)
    assert [(line.paper_id, line.sentence) for line in lines] == [("a", "Transfer to Swahili is weak."),
                                                                   ("b", "Nothing shared here.")]
    assert lines[0].render() == "arXiv:a (A, 2020): \u201cTransfer to Swahili is weak.\u201d"
    numbered = evidence_lines("nothing", papers, rank_by_focus=True, numbers={"a": 1, "b": 2}, pinned="b")
    assert numbered[0].render().startswith("[2] arXiv:b (B, n.d.)")
    assert extractive_answer(lines) == ("The closest passages in the papers found: \u201cTransfer to Swahili is "
                                        "weak.\u201d (arXiv:a); \u201cNothing shared here.\u201d (arXiv:b).")


def test_papers_below_the_relevance_threshold_do_not_address_the_question():
    question = np.array([1.0, 0.0])
    scores = similarities(question, {"near": np.array([0.8, 0.6]), "far": np.array([0.1, 0.99])})
    assert relevant(scores) == ["near"]


def test_restated_titles_and_citations_on_their_own_are_cut():
    stream = GroundedStream(dict(SUPPORT), {"2309.10891": "Self-Augmentation Improves Zero-Shot Cross-Lingual "
                                                          "Transfer"})
    shown = stream.feed("The passage from arXiv:2309.10891 (Self-Augmentation Improves Zero-Shot Cross-Lingual "
                        "Transfer, 2023) states that SALT uses code-switching and embedding mixup. (arXiv:2309.10891) ")
    shown += stream.flush()
    assert shown.strip() == ("The passage from arXiv:2309.10891 states that SALT uses code-switching and embedding "
                             "mixup.")


def test_a_sentence_about_a_name_its_paper_never_uses_is_not_backed_by_it():
    support = {**SUPPORT, "1911.02116": "Unsupervised Cross-lingual Representation Learning at Scale. XLM-R "
                                        "significantly outperforms mBERT, including +14.6% average accuracy on XNLI."}
    stream = GroundedStream(support, names=lambda text: [n for n in ("translate-train",) if n in text.lower()])
    shown = stream.feed("Translate-train significantly outperforms mBERT, with +14.6% average accuracy on XNLI "
                        "(arXiv:1911.02116). ") + stream.flush()
    assert shown == "" and stream.dropped


def test_a_follow_up_does_not_say_again_what_an_earlier_answer_said():
    earlier = "SALT uses code-switching and embedding mixup to improve zero-shot transfer (arXiv:2309.10891)."
    stream = GroundedStream(dict(SUPPORT), said_before=[earlier])
    shown = stream.feed(earlier + " ") + stream.flush()
    assert shown == "" and stream.repeated == 1 and not stream.dropped


def test_a_negative_finding_is_a_finding_and_needs_its_paper():
    shown, stream = _stream(["We do not observe a significant curse of multilinguality as languages are added."])
    assert shown == "" and stream.dropped, "not an exemption: it states a result"


def test_list_items_and_citations_left_over_from_the_sentence_before_are_cleaned_up():
    shown, _ = _stream(["German and Russian often transfer more effectively than English (arXiv:2106.16171). ",
                        "(arXiv:2106.16171) SALT uses code-switching and embedding mixup to improve zero-shot "
                        "transfer.\n- (arXiv:2309.10891)\n"])
    assert shown == ("German and Russian often transfer more effectively than English (arXiv:2106.16171). SALT uses "
                     "code-switching and embedding mixup to improve zero-shot transfer (arXiv:2309.10891).")
