"""Budgets end a run with a partial report that names the budget and what was not done: no hang, no silent cut."""

import pytest

from agent.graphs.research.run import run_research
from agent.services import Services
from agent.settings import load_settings
from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY


@pytest.mark.parametrize("budget, named", [({"budget_model_calls": 4}, "model-call budget (4 calls"),
                                           ({"budget_tokens": 1}, "token budget (1 tokens")])
def test_budget_stops_the_run_with_a_partial_report(budget, named, chat_server, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    settings = load_settings(provider="openai", model="scripted", openai_base_url=chat_server.base_url,
                             data_dir=data_dir, offline=True, **budget)
    report = run_research(EXAMPLE_QUESTION, Services(settings=settings), tmp_path / "run", experiments="no")
    assert (tmp_path / "run" / "report.html").exists()
    assert report.limitations[0].startswith(f"Partial report: the run stopped at the {named}")
    assert "Not done:" in report.limitations[0] and "review" in report.limitations[0]
    assert any("stopped by the" in w for w in report.warnings)
    assert report.review.criteria == [] and report.answer.startswith("This run stopped at")
    if "budget_model_calls" in budget:  # calls already in flight finish; nothing new starts
        assert report.usage.llm_calls < 4 + settings.max_papers


def test_time_budget(chat_server, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    settings = load_settings(provider="openai", model="scripted", openai_base_url=chat_server.base_url,
                             data_dir=data_dir, offline=True, budget_wall_seconds=0.001)
    report = run_research(EXAMPLE_QUESTION, Services(settings=settings), tmp_path / "run", experiments="no")
    assert "time budget" in report.limitations[0] and report.usage.llm_calls == 0
