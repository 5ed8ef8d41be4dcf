"""Faults of the model server, injected through the real `openai` client against a server on 127.0.0.1.

HTTP 429 with Retry-After, HTTP 500, a reply slower than the timeout, malformed and truncated JSON, an empty
completion: each is survived (retried, re-asked) within bounds, or ends in one clear error, never a hang.
"""

import time

import pytest
from pydantic import BaseModel

from agent.errors import ProviderError
from tests.conftest import TEST_API_KEY
from tests.support.chat_server import Reply, ScriptedChatServer
from tools.llm.base import InvalidModelOutput
from tools.llm.openai_provider import OpenAIProvider

pytestmark = pytest.mark.faults
GOOD = '{"queries": ["zero-shot transfer"]}'


class Plan(BaseModel):
    queries: list[str]


def _sequence(*replies: Reply):
    """A script that answers with each reply in turn, then repeats the last."""
    queue = list(replies)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


def _provider(server, **kwargs):
    kwargs.setdefault("max_retries", 2)
    return OpenAIProvider("scripted", api_key=TEST_API_KEY, base_url=server.base_url, **kwargs)


def _ask(provider):
    return provider.structured([{"role": "user", "content": "plan"}], Plan)


def test_429_with_retry_after_is_waited_out_then_answered():
    with ScriptedChatServer(
        _sequence(Reply("slow down", status=429, headers={"Retry-After": "1"}), Reply(GOOD))
    ) as server:
        started = time.monotonic()
        assert _ask(_provider(server)).queries == ["zero-shot transfer"]
        assert time.monotonic() - started >= 0.9, "Retry-After was honoured"
        assert len(server.requests) == 2


def test_500_is_retried_then_answered():
    with ScriptedChatServer(_sequence(Reply("boom", status=500), Reply(GOOD))) as server:
        assert _ask(_provider(server)).queries == ["zero-shot transfer"] and len(server.requests) == 2


def test_500_every_time_is_one_clear_error_without_the_key():
    with ScriptedChatServer(_sequence(Reply("boom", status=500))) as server:
        with pytest.raises(ProviderError, match="HTTP 500") as error:
            _ask(_provider(server, max_retries=1))
        assert TEST_API_KEY not in str(error.value) and len(server.requests) == 2


def test_a_reply_slower_than_the_timeout_is_retried():
    with ScriptedChatServer(_sequence(Reply(GOOD, delay=3.0), Reply(GOOD))) as server:
        started = time.monotonic()
        assert _ask(_provider(server, timeout=1.0)).queries == ["zero-shot transfer"]
        assert time.monotonic() - started < 10 and len(server.requests) == 2


def test_timeouts_every_time_end_in_bounded_time():
    with ScriptedChatServer(_sequence(Reply(GOOD, delay=5.0))) as server:
        started = time.monotonic()
        with pytest.raises(ProviderError):
            _ask(_provider(server, timeout=0.5, max_retries=1))
        assert time.monotonic() - started < 8


@pytest.mark.parametrize("bad", ['{"queries": ["zero-shot', "Sure! Here is the plan.", "", '{"queries": 3}'],
                         ids=["truncated", "prose", "empty", "wrong-type"])
def test_malformed_or_empty_output_is_re_asked_once(bad):
    with ScriptedChatServer(_sequence(Reply(bad), Reply(GOOD))) as server:
        assert _ask(_provider(server)).queries == ["zero-shot transfer"]
        assert len(server.requests) == 2
        assert "not valid JSON for the required schema" in server.requests[1]["messages"][-1]["content"]


def test_malformed_output_every_time_is_bounded():
    with ScriptedChatServer(_sequence(Reply('{"queries": ['))) as server:
        with pytest.raises(InvalidModelOutput, match="after 2 tries"):
            _ask(_provider(server))
        assert len(server.requests) == 2
