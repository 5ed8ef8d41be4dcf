"""`agent eval extract` scoring, with the scripted chat server as the model (deterministic)."""

import json

from evals.extract_runner import GoldClaim, match_claims, run_extract_eval
from tools.embeddings import default_embedder

SENTENCES = [
    "Cross-lingual transfer remains hard for languages unseen in pre-training.",
    "The XNLI benchmark covers fifteen languages including Swahili and Urdu.",
    "Vocabulary extension raises XNLI accuracy on Swahili from 64.1 to 67.9 points.",
]


def _suite(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir(exist_ok=True)
    row = {"paper_id": "2611.00010", "title": "Vocabulary extension for transfer", "sentences": SENTENCES,
           "claims": [
               {"claim": "Transfer to languages missing from pre-training stays difficult.", "sentences": [0],
                "kind": "result"},
               {"claim": "Vocabulary extension raises Swahili XNLI accuracy from 64.1 to 67.9 points.",
                "sentences": [2], "kind": "result"}]}
    (suite / "abstracts.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    return suite


def test_extraction_is_scored_by_the_documented_matching_rule(tmp_path, scripted_services, chat_server):
    out = tmp_path / "run"
    metrics = run_extract_eval(_suite(tmp_path), scripted_services, out, max_claims=2)
    # The scripted model returns the last two sentences as claims: the XNLI-languages one matches no
    # gold claim, the vocabulary-extension one matches the second gold claim.
    assert (metrics["n_predicted"], metrics["n_gold"], metrics["n_matched"]) == (2, 2, 1)
    assert metrics["precision"] == 0.5 and metrics["recall"] == 0.5 and metrics["numbers_exact_share"] == 1.0
    assert metrics["kind_agreement_on_matches"] == 1.0 and metrics["failed_abstracts"] == 0
    assert (out / "metrics.json").exists() and (out / "predictions.jsonl").exists()
    before = len(chat_server.requests)
    again = run_extract_eval(_suite(tmp_path), scripted_services, out, max_claims=2)
    assert len(chat_server.requests) == before, "a finished run resumes without calling the model"
    assert again["precision"] == metrics["precision"]


def test_matching_is_one_to_one_and_needs_similar_meaning():
    gold = [GoldClaim(claim="XLM-R reaches 79.2 accuracy on XNLI.", sentences=[1]),
            GoldClaim(claim="The corpus has 12,000 Swahili news articles.", sentences=[1])]
    predicted = [{"claim": "XLM-R obtains 79.2 accuracy on the XNLI benchmark.", "sentences": [1]},
                 {"claim": "XLM-R gets 79.2 on XNLI.", "sentences": [1]},
                 {"claim": "Protein folding is predicted from sequences.", "sentences": [1]}]
    matched = match_claims(predicted, gold, default_embedder().embed)
    assert [(i, j) for i, j, _ in matched] == [(0, 0)], "each gold claim is matched once; unrelated text never"
