"""The stack: fitted on two judges' probabilities, it leans on the one that is right."""

import numpy as np

from evals.stack_judge import apply_stack, fit_stack


def test_the_stack_follows_the_informative_judge_and_ignores_the_noise():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 300)
    informative = np.full((300, 3), 0.15)
    informative[np.arange(300), gold] = 0.7
    noise = rng.dirichlet(np.ones(3), 300)
    weights = fit_stack(noise, informative, gold.tolist())  # (cross-encoder = noise, llm = informative)
    stacked = apply_stack(weights, noise, informative)
    assert (stacked.argmax(1) == gold).mean() == 1.0
    assert np.abs(weights[:, 3:6]).sum() > 3 * np.abs(weights[:, :3]).sum()
