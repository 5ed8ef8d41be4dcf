"""Training the judge: the torch model computes what the shipped numpy judge computes, and it learns."""

import numpy as np
import torch

from evals.judge_data import JudgePair, fold_of
from evals.judge_model import TopLayers
from evals.train_judge import VARIANTS, Encoder, claim_level, predict, train
from tools.judge import LABELS, CrossEncoderJudge

PAIRS = [
    JudgePair("mBERT transfers well to German.", "We study transfer. mBERT reaches 85 on German. Japanese is harder. "
              "Korean is harder still. Chinese sits between.", "SUPPORTED", "scifact", "g1"),
    JudgePair("A short claim.", "One sentence only.", "REFUTED", "scifact", "g2"),
]


def test_the_torch_model_and_the_numpy_judge_agree_on_the_same_tensors():
    torch.manual_seed(0)
    encoder = Encoder(first_trained_layer=4)
    encoder.prefetch(PAIRS)
    states = encoder.states(PAIRS)
    model = TopLayers(encoder.weights, 4)
    torch.nn.init.normal_(model.head.weight, std=0.5)
    model.eval()
    trained = predict(model, states, [0, 1])
    judge = CrossEncoderJudge(overlay={k: v.numpy() for k, v in model.exported().items()})
    shipped = np.array([[judge.probabilities(p.claim, [p.passage])[0][label] for label in LABELS] for p in PAIRS])
    assert np.abs(trained - shipped).max() < 5e-3  # float16 tensors and states


def test_training_fits_a_tiny_set():
    encoder = Encoder(first_trained_layer=5)
    pairs = PAIRS * 4
    encoder.prefetch(pairs)
    states = encoder.states(pairs)
    variant = VARIANTS["scifact"].__class__(**{**VARIANTS["scifact"].__dict__, "first_trained_layer": 5,
                                               "epochs": 8, "batch_size": 4})
    model = train(states, pairs, list(range(len(pairs))), variant, encoder.weights, log=lambda _: None)
    predicted = predict(model, states, list(range(len(pairs)))).argmax(1)
    assert [LABELS[i] for i in predicted] == [p.label for p in pairs]


def test_claims_are_scored_as_the_verifier_aggregates_their_abstracts():
    pairs = [JudgePair("c", "a", "NOT_ENOUGH_INFO", "scifact", "g1"), JudgePair("c", "b", "REFUTED", "scifact", "g1"),
             JudgePair("d", "a", "SUPPORTED", "scifact", "g2")]
    probabilities = np.array([[0.1, 0.1, 0.8], [0.1, 0.7, 0.2], [0.2, 0.1, 0.7]])
    gold, predicted, _ = claim_level(pairs, probabilities)
    assert gold == ["REFUTED", "SUPPORTED"] and predicted == ["REFUTED", "NOT_ENOUGH_INFO"]


def test_folds_keep_a_claim_together_and_are_stable():
    assert fold_of("scifact:12") == fold_of("scifact:12")
    assert {fold_of(f"scifact:{i}") for i in range(200)} == set(range(5))
