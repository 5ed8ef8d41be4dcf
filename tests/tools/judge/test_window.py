"""The evidence window: the sentences closest to the claim, in the passage's order."""

import numpy as np

from tools.judge.window import evidence_window


def _encode_by_keyword(texts: list[str]) -> np.ndarray:
    """A stand-in embedding: one axis per keyword, so closeness is decided by the words a text holds."""
    keywords = ["german", "transfer", "japanese", "weather"]
    vectors = np.array([[float(k in t.lower()) for k in keywords] + [0.1] for t in texts])
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_window_keeps_the_closest_sentences_in_the_passages_order():
    passage = ("The weather was fine. German transfer is strong. Japanese is far. "
               "Transfer to German beats Japanese. The weather changed.")
    window = evidence_window("Transfer to German works", passage, _encode_by_keyword, k=2)
    assert window == "German transfer is strong. Transfer to German beats Japanese."


def test_a_short_passage_is_read_whole():
    passage = "German transfer is strong. Japanese is far."
    assert evidence_window("claim", passage, _encode_by_keyword, k=3) == passage
