"""Which judge labels a pair, and how a stack combines two judges."""

import math

from agent.claims.judging import StackMap, resolve_judge

CROSS = {"SUPPORTED": 0.7, "REFUTED": 0.2, "NOT_ENOUGH_INFO": 0.1}
LLM = {"SUPPORTED": 0.1, "REFUTED": 0.1, "NOT_ENOUGH_INFO": 0.8}


def _stack(weights):
    return StackMap(provider="p", model="m", weights=weights, fitted_on="test", n=0)


def test_a_stack_that_trusts_one_judge_returns_its_probabilities():
    trust_cross = [[1.0 if j == i else 0.0 for j in range(7)] for i in range(3)]
    trust_llm = [[1.0 if j == i + 3 else 0.0 for j in range(7)] for i in range(3)]
    for weights, expected in ((trust_cross, CROSS), (trust_llm, LLM)):
        combined = _stack(weights).apply(CROSS, LLM)
        assert all(math.isclose(combined[k], expected[k], rel_tol=1e-6) for k in expected)


def test_auto_takes_the_llm_where_no_stack_is_fitted():
    assert resolve_judge("auto", "local", "no-stack-for-this-model") == "llm"
    assert resolve_judge("auto", "openai", "scripted") == "llm"
    assert resolve_judge("llm", "local", "anything") == "llm"
