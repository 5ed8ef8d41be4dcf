"""Each sentence of the answer is checked against the claims it cites, by the judge, after writing."""

from agent.claims.answer_check import check_answer
from agent.graphs.verifier.judges import entailment_probability
from agent.records import VerifiedClaim


def _entails(services):
    return lambda sentence, passage: entailment_probability(sentence, passage, services)


def _claim(i: int, text: str) -> VerifiedClaim:
    return VerifiedClaim(id=f"C{i}", text=text, paper_id="p", quote="q", verdict="SUPPORTED", confidence=0.9)


CLAIMS = [_claim(1, "English intermediate-task training on STS improves transfer to Swahili."),
          _claim(2, "German transfers better than English to Russian on XNLI.")]


def test_unsupported_sentences_are_rewritten_from_their_claims_and_uncited_ones_removed(scripted_services):
    paragraphs = [
        ("English intermediate-task training on STS improves transfer to Swahili [C1]. "
         "Adding low-resource languages from diverse families to intermediate training helps most [C2]. "
         "This is widely believed.", True),
        ("Not settled by the papers found: Urdu.", False),
    ]
    checked, check = check_answer(paragraphs, CLAIMS, _entails(scripted_services))
    assert checked[0] == ("English intermediate-task training on STS improves transfer to Swahili [C1]. "
                          "German transfers better than English to Russian on XNLI [C2].")
    assert checked[1] == "Not settled by the papers found: Urdu.", "what the program wrote is not checked"
    assert (check.sentences, check.citing, check.entailed, check.rewritten, check.removed) == (3, 2, 1, 1, 1)
    assert check.precision == 0.5


def test_an_answer_with_no_cited_sentence_has_no_precision(scripted_services):
    checked, check = check_answer([("Nothing cited here.", True)], CLAIMS, _entails(scripted_services))
    assert checked == [] and check.precision is None
