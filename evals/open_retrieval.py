"""Open mode of `agent eval verify`: retrieve evidence from the whole suite corpus, then judge it.

The corpus is embedded once, as overlapping 3-sentence windows (a whole abstract overflows the
embedding model's 256 tokens), cached under a hash of the corpus; a
document's score is its best window's. Besides the claim-level verdict, open mode is scored SciFact-style:
- abstract level: a predicted (document, label) pair is a retrieved document judged SUPPORTED or
  REFUTED; it is correct when the gold evidence has that document with that label;
- sentence level: the pair plus the sentence quoted as evidence; correct when that sentence is one of
  the document's gold rationale sentences (a simplification of SciFact's rationale sets).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from agent.graphs.context import RunContext
from agent.graphs.verifier import verify
from agent.graphs.verifier.state import Passage
from agent.records import Claim
from agent.services import Services
from evals.predictions import prediction_row
from evals.suite import SuiteDocument, SuiteItem
from tools.text import sentence_windows

TOP_K = 3


def _corpus_key(corpus: dict[str, SuiteDocument]) -> str:
    digest = hashlib.sha256()
    for doc_id in sorted(corpus):
        digest.update(f"{doc_id}\t{corpus[doc_id].title}\t{len(corpus[doc_id].sentences)}\n".encode())
    return digest.hexdigest()[:16]


class SuiteRetriever:
    """Exact cosine over the corpus's sentence windows; their vectors are computed once and kept in the cache
    directory under a hash of the corpus (a suite corpus is a few thousand windows: no index needed)."""

    def __init__(self, services: Services, corpus: dict[str, SuiteDocument]) -> None:
        self.corpus = corpus
        self.embedder = services.library.embedder
        self.windows = [(doc_id, start, end) for doc_id in sorted(corpus)
                        for start, end in sentence_windows(corpus[doc_id].sentences, size=3, stride=2)]
        path = Path(services.settings.cache_dir) / "suite-vectors" / f"{_corpus_key(corpus)}.npy"
        vectors = np.load(path) if path.exists() else None
        if vectors is None or len(vectors) != len(self.windows):
            # No title prefix: it dominates a short window's embedding (with it, a claim about the
            # annotators of a hate-speech corpus ranked its own abstract below three others; without
            # it, recall@3 is 20/20 on the first 20 evidence-bearing claims of arxiv-claims/dev).
            texts = [" ".join(corpus[d].sentences[a:b]) for d, a, b in self.windows]
            vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path.with_suffix(".tmp.npy"), vectors)
            path.with_suffix(".tmp.npy").replace(path)
        self.vectors = vectors

    def top(self, claim: str, k: int = TOP_K) -> list[str]:
        """The k documents whose best sentence window is closest to the claim."""
        scores = self.vectors @ np.asarray(self.embedder.embed([claim])[0], dtype=np.float32)
        ranked = [self.windows[i][0] for i in np.argsort(-scores, kind="stable")]
        return list(dict.fromkeys(ranked))[:k]


def predict_open(item: SuiteItem, corpus: dict[str, SuiteDocument], retriever: SuiteRetriever,
                 services: Services) -> dict:
    retrieved = retriever.top(item.claim)
    passages = [Passage(paper_id=d, title=corpus[d].title, text=corpus[d].abstract, is_source=False) for d in retrieved]
    claim = Claim(id=item.id, text=item.claim, paper_id="", quote="")
    result = verify(claim, RunContext(services), passages=passages)
    decisive = [e for e in result.evidence if e.stance != "NOT_ENOUGH_INFO"]
    sentence_predictions = []
    for evidence in decisive:
        sentences = corpus[evidence.paper_id].sentences
        index = next((i for i, s in enumerate(sentences) if s.strip() == evidence.quote.strip()), -1)
        sentence_predictions.append([evidence.paper_id, evidence.stance, index])
    return prediction_row(item, result, retrieved=retrieved,
                          abstract_predictions=[[e.paper_id, e.stance] for e in decisive],
                          sentence_predictions=sentence_predictions)


def _prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": predicted, "gold": gold}


def scifact_scores(items: list[SuiteItem], rows: dict[str, dict]) -> dict[str, dict]:
    abstract_correct = abstract_predicted = abstract_gold = 0
    sentence_correct = sentence_predicted = sentence_gold = 0
    for item in items:
        row = rows[item.id]
        abstract_gold += len(item.doc_labels)
        sentence_gold += sum(len(item.rationales.get(doc, [])) for doc in item.doc_labels)
        for doc, label in row.get("abstract_predictions", []):
            abstract_predicted += 1
            abstract_correct += item.doc_labels.get(doc) == label
        for doc, label, index in row.get("sentence_predictions", []):
            sentence_predicted += 1
            sentence_correct += item.doc_labels.get(doc) == label and index in item.rationales.get(doc, [])
    return {"abstract_level": _prf(abstract_correct, abstract_predicted, abstract_gold),
            "sentence_level": _prf(sentence_correct, sentence_predicted, sentence_gold)}
