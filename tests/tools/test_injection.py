"""Screening paper text for planted instructions: what goes, what stays, and no false alarms on real papers."""

import pytest

from evals.hostile_runner import ATTACKS, FRESH, FRESH_STACK, HELD_OUT, attack_text, plant
from tools.injection import screen_text
from tools.snapshot import snapshot_by_id

ABSTRACT = ["We study language adapters.", "Adapters raise Swahili NER by 3.1 F1 over full fine-tuning.",
            "Code is released."]
SCREENED_ATTACKS = [name for name in ATTACKS if name not in HELD_OUT + FRESH + FRESH_STACK]


@pytest.mark.parametrize("attack", SCREENED_ATTACKS)
@pytest.mark.parametrize("gold", ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"])
def test_planted_instructions_go_and_every_paper_sentence_stays_verbatim(attack, gold):
    screened = screen_text(plant(ABSTRACT, attack_text(attack, gold)))
    assert screened.removed
    for sentence in ABSTRACT:
        assert sentence in screened.text
    for word in ("SUPPORTED", "REFUTED", "instructions", "verdict", "<script", "<!--"):
        assert word not in screened.text


def test_text_without_instructions_is_returned_untouched():
    text = "Line one.\nWe use <b>bold</b> claims, p < 0.05, and ignore explicit instructions at times."
    assert screen_text(text).text == text and screen_text(text).removed == []


def test_no_abstract_of_the_bundled_arxiv_snapshot_loses_a_sentence():
    papers = list(snapshot_by_id().values())
    flagged = {p.id: screen_text(p.abstract).removed for p in papers if screen_text(p.abstract).removed}
    assert len(papers) > 1000 and flagged == {}
