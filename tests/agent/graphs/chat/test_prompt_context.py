"""What the chat prompts show about the thread: papers with their closest sentence, and where a name occurs."""

from agent.graphs.chat.prompt_context import mentions_block, named_terms, papers_block, term_pattern

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


def test_papers_are_shown_with_the_sentence_closest_to_the_question():
    papers = [{"id": "2309.10891", "title": "SALT", "year": 2023,
               "abstract": "We propose SALT. Experimental results on XNLI and PAWS-X show gains."}]
    assert papers_block(papers, "Which of those used PAWS-X?").endswith(
        "\u2014 \u201cExperimental results on XNLI and PAWS-X show gains.\u201d")


def test_named_terms_are_datasets_models_and_languages_not_question_words():
    assert named_terms("which of those used PAWS-X?") == ["PAWS-X"]
    assert named_terms("Did any of them fine-tune mBERT or XLM-R on Swahili?") == ["mBERT", "XLM-R", "Swahili"]
    assert named_terms("Which paper reports mT5 results, and is C3 right about arXiv:2309.10891?") == ["mT5"]
    assert named_terms("Which of those is the most recent?") == []


def test_a_term_matches_with_or_without_its_hyphen_and_only_as_a_whole_word():
    pattern = term_pattern("PAWS-X")
    assert all(pattern.search(t) for t in ("on PAWS-X.", "on paws x", "the pawsx set"))
    assert not pattern.search("PAWS-XL") and not pattern.search("the PAWS set")


def test_mentions_name_exactly_the_papers_whose_stored_text_holds_the_term():
    block = mentions_block(PAPERS, "which of those used PAWS-X?", _stored)
    assert block == ("- PAWS-X: mentioned only in [2] arXiv:2309.10891 (“Experimental results on XNLI and PAWS-X "
                     "show gains without external data.”); [3] arXiv:2106.16171 (“Table 3 reports accuracy on pawsx "
                     "and on the Swahili part of XNLI.”). Not mentioned in [1]")
    assert mentions_block(PAPERS, "Which of them used Quechua?", _stored) == \
        "- Quechua: NONE of the listed papers mentions Quechua (all 3 searched)"
    assert mentions_block(PAPERS, "which is newest?", _stored) == ""
    assert mentions_block([], "which used PAWS-X?", _stored) == ""
