"""The program's signals on a claim and a passage: negation, direction, numbers, and the table reader."""

import numpy as np

from tools.judge.signals import pair_signals
from tools.judge.window import SentenceMatch
from tools.text import split_sentences


def _match(claim: str, passage: str, closest: int) -> SentenceMatch:
    sentences = split_sentences(passage)
    similarities = np.full(len(sentences), 0.2, dtype=np.float32)
    similarities[closest] = 0.9
    return SentenceMatch(passage, sentences, similarities)


PASSAGE = ("Stem cells were cultured for two weeks. 4-PBA treatment decreased endoplasmic reticulum stress markers. "
           "Ten percent of the mice died.")


def test_a_reversed_direction_and_a_negation_are_noticed_against_the_closest_sentence():
    raised = pair_signals("4-PBA treatment raises endoplasmic reticulum stress.", _match("", PASSAGE, 1))
    assert raised.direction_conflict == 1.0 and raised.negation_mismatch == 0.0
    negated = pair_signals("4-PBA treatment does not decrease endoplasmic reticulum stress.", _match("", PASSAGE, 1))
    assert negated.negation_mismatch == 1.0 and negated.direction_conflict == 1.0
    same = pair_signals("4-PBA treatment decreases endoplasmic reticulum stress.", _match("", PASSAGE, 1))
    assert same.direction_conflict == 0.0 and same.negation_mismatch == 0.0 and same.best_cosine == 0.9
    assert same.best_overlap > 0.5


def test_a_number_the_passage_does_not_state_is_noticed_but_a_name_with_digits_is_not_a_number():
    assert pair_signals("90% of the mice died.", _match("", PASSAGE, 2)).number_unmatched == 1.0
    assert pair_signals("4-PBA lowers stress markers in two weeks.", _match("", PASSAGE, 1)).number_unmatched == 0.0


def test_the_table_reader_is_a_signal():
    table = "XNLI accuracy. mBERT: English 81.4, German 70.5, Swahili 50.4. XLM-R: English 89.1, German 83.9."
    match = _match("", table, 1)
    assert pair_signals("mBERT reaches 70.5 on German.", match).table_supports == 1.0
    assert pair_signals("XLM-R transfers worse to German than mBERT does.", match).table_refutes == 1.0
    assert pair_signals("mBERT reaches 61.0 on Urdu.", match).table_lacks == 1.0
