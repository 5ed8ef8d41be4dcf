"""The on-disk response cache: a repeated run makes no model call; --no-cache (or the setting) bypasses it."""

from agent.graphs.research.run import run_research
from agent.services import Services
from agent.settings import load_settings
from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY
from tools.llm.base import ChatResult
from tools.llm.cache import ResponseCache


def test_cache_round_trip_and_damaged_entries(tmp_path):
    cache = ResponseCache(tmp_path)
    key = cache.key("openai", "m", [{"role": "user", "content": "hi"}], {"seed": 1})
    assert cache.key("openai", "m", [{"role": "user", "content": "hi"}], {"seed": 2}) != key
    assert cache.get(key) is None
    cache.put(key, ChatResult("SUP", 10, 1, [("SUP", -0.1), ("NOT", -2.0)]))
    assert cache.get(key) == ChatResult("SUP", 10, 1, [("SUP", -0.1), ("NOT", -2.0)])
    next(tmp_path.rglob("*.json")).write_text("{not json")
    assert cache.get(key) is None, "a damaged entry is a miss, not an error"


def test_a_repeated_run_makes_no_model_calls(chat_server, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    settings = load_settings(provider="openai", model="scripted", openai_base_url=chat_server.base_url,
                             data_dir=data_dir, offline=True, cache_responses=True)
    cache_dir = settings.cache_dir / "llm"
    first = run_research(EXAMPLE_QUESTION, Services(settings=settings), tmp_path / "first", experiments="no")
    before = len(chat_server.requests)
    second = run_research(EXAMPLE_QUESTION, Services(settings=settings), tmp_path / "second", experiments="no")
    assert len(chat_server.requests) == before, "every call was answered from the cache"
    assert second.usage.llm_calls == 0 and second.usage.cached_calls == first.usage.llm_calls > 0
    assert [c.model_dump(exclude={"evidence"}) for c in second.claims] == [
        c.model_dump(exclude={"evidence"}) for c in first.claims]
    assert second.answer == first.answer
    assert TEST_API_KEY not in "".join(p.read_text() for p in cache_dir.rglob("*.json"))
    uncached = run_research(EXAMPLE_QUESTION, Services(settings=settings.model_copy(update={"cache_responses": False})),
                            tmp_path / "third", experiments="no")
    assert uncached.usage.llm_calls == first.usage.llm_calls and len(chat_server.requests) > before
