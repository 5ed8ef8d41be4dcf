"""Which words are names, learnt from how a corpus writes them."""

from tools.vocabulary import Vocabulary, tokens_with_position

TEXTS = [
    "We give results on XNLI. Transfer to Swahili is weak, and code-switching helps the cross-lingual model.",
    "Results on XNLI and Swahili vary; cross-lingual transfer is hard. We give more analyses of cross-lingual data.",
    "Most cross-lingual models fail on Swahili. Give or take, XNLI is saturated by code-switching encoders.",
    "Augmenting with code-switching in cross-lingual settings.",
] + [f"Filler text {i} about cross-lingual models." for i in range(200)]


def test_sentence_openers_are_told_apart_from_capitals_that_mean_a_name():
    assert list(tokens_with_position("Give ids. Then XNLI; and Swahili")) == [
        ("Give", True), ("ids", False), ("Then", True), ("XNLI", False), ("and", True), ("Swahili", False)]


def test_names_are_what_the_corpus_capitalises_mid_sentence_or_shapes_like_names():
    vocabulary = Vocabulary.from_texts(TEXTS)
    assert vocabulary.names_in("Which used XNLI or Swahili? Give arXiv ids for mBERT and C3.", 6) == [
        "XNLI", "Swahili", "mBERT"]
    assert vocabulary.names_in("Does Quechua work? And Results?", 6) == ["Quechua"], "unknown, capitalised mid-text"


def test_a_hyphenated_term_is_a_method_name_only_when_few_papers_use_it():
    vocabulary = Vocabulary.from_texts(TEXTS)
    assert vocabulary.names_in("does code-switching help cross-lingual transfer?", 6) == ["code-switching"]


def test_a_threads_papers_add_to_a_vocabulary_without_changing_it():
    vocabulary = Vocabulary.from_texts(TEXTS)
    merged = vocabulary.merged(["We test on Yoruba. Results for Yoruba and for Yoruba news."])
    assert merged.is_name("Yoruba", opens_sentence=True) and not vocabulary.is_name("Yoruba", opens_sentence=True)
