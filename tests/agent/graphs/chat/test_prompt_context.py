"""What the chat prompts show about the thread: where a name of the question occurs in its papers."""

from agent.graphs.chat.prompt_context import mentions_block, named_terms, term_pattern
from tools.vocabulary import Vocabulary

# How a corpus writes its words decides which are names: "give" and "results" in lower case, XNLI and Swahili
# capitalised mid-sentence.
CORPUS = Vocabulary.from_texts([
    "We give results on XNLI and PAWS-X. Models transfer to Swahili and to Urdu, and we give more results.",
    "Our results on XNLI show that the transfer to Swahili is weak; we give analyses of the results.",
    "Results on XNLI and on Swahili data are mixed, and the most recent results give little.",
    "We fine-tune on English; to fine-tune on more languages helps; we fine-tune twice.",
])

PAPERS = [
    {"id": "2005.00633", "title": "From Zero To Hero", "year": 2020,
     "abstract": "We study the limitations of zero-shot transfer with multilingual transformers. "
                 "Transfer is weakest for distant languages."},
    {"id": "2309.10891", "title": "Self-Augmentation Improves Zero-Shot Cross-Lingual Transfer", "year": 2023,
     "abstract": "We propose SALT. Experimental results on XNLI and PAWS-X show gains without external data."},
    {"id": "2106.16171", "title": "Revisiting The Primacy Of English", "year": 2021,
     "abstract": "English is not always the best source language."},
]
FULL_TEXT = {"2106.16171": ["Table 3 reports accuracy on pawsx and on the Swahili part of XNLI."]}


def _stored(paper_id: str) -> list[str]:
    return FULL_TEXT.get(paper_id, [])


def test_named_terms_are_datasets_models_and_languages_not_question_words():
    assert named_terms("which of those used PAWS-X?", CORPUS) == ["PAWS-X"]
    assert named_terms("Did any of them fine-tune mBERT or XLM-R on Swahili?", CORPUS) == ["mBERT", "XLM-R",
                                                                                         "Swahili"]
    assert named_terms("Which paper reports mT5 results, and is C3 right about arXiv:2309.10891?", CORPUS) == ["mT5"]
    assert named_terms("Which of those is the most recent?", CORPUS) == []
    assert named_terms("Which papers show that? Give arXiv ids.", CORPUS) == [], "an ordinary word, capitalised"
    assert named_terms("Results? Which of them used xnli or Quechua?", CORPUS) == ["xnli", "Quechua"]


def test_a_term_matches_with_or_without_its_hyphen_and_only_as_a_whole_word():
    pattern = term_pattern("PAWS-X")
    assert all(pattern.search(t) for t in ("on PAWS-X.", "on paws x", "the pawsx set"))
    assert not pattern.search("PAWS-XL") and not pattern.search("the PAWS set")


def test_mentions_name_exactly_the_papers_whose_stored_text_holds_the_term():
    block = mentions_block(PAPERS, "which of those used PAWS-X?", _stored, CORPUS)
    assert block == ("- PAWS-X: mentioned only in [2] arXiv:2309.10891 (“Experimental results on XNLI and PAWS-X "
                     "show gains without external data.”); [3] arXiv:2106.16171 (“Table 3 reports accuracy on pawsx "
                     "and on the Swahili part of XNLI.”). Not mentioned in [1]")
    assert mentions_block(PAPERS, "Which of them used Quechua?", _stored, CORPUS) == \
        "- Quechua: NONE of the listed papers mentions Quechua (all 3 searched)"
    assert mentions_block(PAPERS, "which is newest?", _stored, CORPUS) == ""
    assert mentions_block([], "which used PAWS-X?", _stored, CORPUS) == ""
