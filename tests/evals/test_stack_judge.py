"""The stack's fit: it leans on the features that are informative, and its probabilities are calibrated."""

import numpy as np

from evals.stack_judge import fit, predict


def test_the_stack_follows_the_informative_feature_and_ignores_the_noise():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 600)
    informative = np.log(np.where(np.eye(3)[gold] > 0, 0.7, 0.15))
    noise = np.log(rng.dirichlet(np.ones(3), 600))
    x = np.hstack([noise, informative])
    center, scale, weights = fit(x, gold, np.ones(len(gold)))
    stacked = predict(center, scale, weights, x)
    assert (stacked.argmax(1) == gold).mean() == 1.0
    assert np.abs(weights[:, 3:6]).sum() > 3 * np.abs(weights[:, :3]).sum()


def test_its_probabilities_match_the_frequencies_it_was_fitted_on():
    rng = np.random.default_rng(1)
    signal = rng.integers(0, 2, 4000).astype(float)
    # with the signal on, the label is REFUTED 80% of the time; off, SUPPORTED 60% / NOT_ENOUGH_INFO 40%
    gold = np.where(signal == 1, np.where(rng.random(4000) < 0.8, 1, 2), np.where(rng.random(4000) < 0.6, 0, 2))
    params = fit(signal[:, None], gold, np.ones(4000), l2=0.0)
    on, off = predict(*params, np.array([[1.0], [0.0]]))
    assert abs(on[1] - 0.8) < 0.03 and abs(off[0] - 0.6) < 0.03
