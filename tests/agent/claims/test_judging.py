"""Which judge labels a pair, and how a stack combines the judges and the program's signals."""

import math

from agent.claims.judging import StackMap, resolve_judge, stack_features
from tools.judge.signals import PairSignals

CROSS = {"SUPPORTED": 0.7, "REFUTED": 0.2, "NOT_ENOUGH_INFO": 0.1}
LLM = {"SUPPORTED": 0.1, "REFUTED": 0.1, "NOT_ENOUGH_INFO": 0.8}
SIGNALS = PairSignals(best_cosine=0.8, best_overlap=0.5, passage_overlap=0.6, negation_mismatch=1.0,
                      direction_conflict=0.0, number_unmatched=0.0, table_supports=0.0, table_refutes=0.0,
                      table_lacks=0.0)


def _stack(features, weights):
    return StackMap(provider="p", model="m", features=features, center=[0.0] * len(features),
                    scale=[1.0] * len(features), weights=weights, fitted_on="test", n=0)


def test_a_stack_that_trusts_one_judge_returns_its_probabilities():
    features = stack_features(CROSS, LLM, SIGNALS)
    names = ["ce:S", "ce:R", "ce:N", "llm:S", "llm:R", "llm:N"]
    trust_cross = [[1.0 if j == i else 0.0 for j in range(7)] for i in range(3)]
    trust_llm = [[1.0 if j == i + 3 else 0.0 for j in range(7)] for i in range(3)]
    for weights, expected in ((trust_cross, CROSS), (trust_llm, LLM)):
        combined = _stack(names, weights).apply(features)
        assert all(math.isclose(combined[k], expected[k], rel_tol=1e-6) for k in expected)


def test_a_signal_moves_the_label_it_is_weighted_for():
    features = stack_features(CROSS, None, SIGNALS)
    stack = _stack(["ce:S", "negation_mismatch*overlap"], [[1.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 0.0]])
    assert features["negation_mismatch*overlap"] == 0.5 and "llm:S" not in features
    combined = stack.apply(features)
    assert max(combined, key=combined.get) == "REFUTED"
    assert not stack.uses_llm and stack.uses_cross_encoder


def test_auto_takes_the_llm_where_no_stack_is_fitted():
    assert resolve_judge("auto", "local", "no-stack-for-this-model") == "llm"
    assert resolve_judge("auto", "openai", "scripted") == "llm"
    assert resolve_judge("llm", "local", "anything") == "llm"


def test_the_embedded_model_judges_with_its_shipped_stack_by_default(tmp_path):
    from agent.services import Services
    from agent.settings import DEFAULT_LOCAL_MODEL, load_settings

    services = Services(settings=load_settings(provider="local", judge="auto", data_dir=tmp_path))
    assert services.model_key == ("local", DEFAULT_LOCAL_MODEL)  # the name a stack is filed under, model unloaded
    assert services.judge_name == "stack" and services.stack.uses_llm and services.stack.uses_cross_encoder
    assert services.judge_identity == ("stack", f"local__{DEFAULT_LOCAL_MODEL}")
    assert services.calibration_for("corroboration").provider == "stack"
    gguf = load_settings(provider="local", judge="auto", model=str(tmp_path / "other.gguf"), data_dir=tmp_path)
    assert Services(settings=gguf).judge_name == "llm"  # a stack is per model
