"""The numpy forward pass of all-MiniLM-L6-v2 gives sentence-transformers' vectors."""

import numpy as np

from tools.embeddings import MiniLMEmbedder
from tools.snapshot import load_snapshot, paper_document


def test_numpy_and_sentence_transformers_agree():
    embedder = MiniLMEmbedder()
    texts = ["zero-shot cross-lingual transfer", "PAWS-X", paper_document(load_snapshot()[0])]
    small = np.vstack([embedder.embed([t]) for t in texts])  # one text at a time: the numpy path
    assert embedder._torch_model is None, "a query never loads torch"
    batch = embedder.embed(texts * 2)[:3]  # a batch: sentence-transformers
    assert (np.sum(small * batch, axis=1) > 0.9999).all()
    assert np.allclose(np.linalg.norm(small, axis=1), 1.0, atol=1e-5)


def test_a_query_embedded_again_is_not_computed_again_and_callers_get_their_own_copy():
    embedder = MiniLMEmbedder()
    first = embedder.embed(["zero-shot transfer to Swahili"])
    first[0, 0] = 42.0  # a caller's own array: changing it changes nothing for the next caller
    again = embedder.embed(["zero-shot transfer to Swahili"])
    assert again[0, 0] != 42.0 and len(embedder._recent) == 1
    assert np.allclose(again, MiniLMEmbedder().embed(["zero-shot transfer to Swahili"]))
