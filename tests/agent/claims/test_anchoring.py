from agent.claims.anchoring import anchor_quote, author_reference, make_self_contained
from tools.papers import Paper

SENTENCES = [
    "Multilingual encoders transfer across languages.",
    "We show that transfer to Swahili lags transfer to German by 20 points on XNLI.",
    "Few-shot fine-tuning closes much of the gap.",
]


def test_anchor_prefers_the_models_sentence_when_it_matches():
    claim = "Transfer to Swahili lags transfer to German by 20 points on XNLI."
    assert anchor_quote(claim, SENTENCES, hint=2) == SENTENCES[1]


def test_anchor_corrects_an_off_by_one_sentence_number():
    claim = "Few-shot fine-tuning closes much of the gap to Swahili."
    assert anchor_quote(claim, SENTENCES, hint=2) == SENTENCES[2]


def test_anchor_rejects_a_claim_grounded_in_no_sentence():
    assert anchor_quote("Protein folding accuracy reached 92 percent.", SENTENCES, hint=1) is None


def test_anchor_quotes_two_sentences_for_a_merged_claim():
    claim = "Swahili lags German by 20 points on XNLI, but few-shot fine-tuning closes much of the gap."
    assert anchor_quote(claim, SENTENCES, hint=2) == f"{SENTENCES[1]} {SENTENCES[2]}"


def test_self_contained_claims_name_the_authors():
    paper = Paper(id="1", title="t", authors=["Iulia Turc", "Kenton Lee"])
    assert author_reference(paper) == "Turc et al."
    assert make_self_contained("In this paper, we propose SALT.", paper) == "Turc et al. propose SALT."
    assert make_self_contained("Our method beats mBERT.", paper) == "Turc et al.'s method beats mBERT."
    assert make_self_contained("This paper studies XNLI.", paper) == "The paper by Turc et al. studies XNLI."
    assert make_self_contained("XLM-R is strong.", paper) == "XLM-R is strong."
    assert make_self_contained("In our study, we compare mBERT and mT5.", paper) == "Turc et al. compare mBERT and mT5."
    assert author_reference(Paper(id="2", title="t", authors=["Junjie Hu et al."])) == "Hu et al."
    assert author_reference(Paper(id="3", title="t")) == "the authors"
