"""The real `openai` client against the scripted chat-completions server on 127.0.0.1."""

import socket

import pytest
from pydantic import BaseModel

from agent.errors import ProviderError
from tests.conftest import TEST_API_KEY
from tests.support.chat_server import Reply, ScriptedChatServer
from tools.llm.base import ProviderUnavailable
from tools.llm.openai_provider import OpenAIProvider

LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")


class Plan(BaseModel):
    queries: list[str]


def _provider(server, **kwargs):
    return OpenAIProvider("scripted", api_key=TEST_API_KEY, base_url=server.base_url, max_retries=0, **kwargs)


def test_structured_output_sends_the_json_schema_and_validates_the_reply():
    with ScriptedChatServer(lambda request: Reply('{"queries": ["xnli", "paws-x"]}')) as server:
        result = _provider(server).structured([{"role": "user", "content": "plan"}], Plan, max_tokens=50)
        request = server.requests[-1]
    assert result.queries == ["xnli", "paws-x"]
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["name"] == "Plan"
    assert request["response_format"]["json_schema"]["schema"]["properties"]["queries"]["type"] == "array"
    assert request["max_tokens"] == 50


def test_label_probabilities_come_from_first_token_logprobs():
    script = lambda request: Reply("REF", [("REF", -0.2), ("NOT", -2.5), ("SUP", -3.0), ("The", -4.0)])
    with ScriptedChatServer(script) as server:
        provider = _provider(server)
        probs, mass = provider.label_probs([{"role": "user", "content": "judge"}], LABELS)
        request = server.requests[-1]
    assert request["logprobs"] is True and request["top_logprobs"] == 20 and request["max_tokens"] == 1
    assert max(probs, key=probs.get) == "REFUTED"
    assert 0.9 < mass < 1.0
    assert provider.tracker.totals().llm_calls == 1


def test_usage_is_counted_per_node():
    from tools.llm.base import current_node

    with ScriptedChatServer(lambda request: Reply('{"queries": []}')) as server:
        provider = _provider(server)
        token = current_node.set("plan")
        provider.structured([{"role": "user", "content": "four words here now"}], Plan)
        current_node.reset(token)
    usage = provider.tracker.per_node["plan"]
    assert usage.llm_calls == 1 and usage.prompt_tokens == 4 and usage.completion_tokens >= 1


def test_server_error_is_one_clear_line_without_the_key():
    with ScriptedChatServer(lambda request: Reply("overloaded", status=500)) as server:
        with pytest.raises(ProviderError) as error:
            _provider(server).structured([{"role": "user", "content": "x"}], Plan)
    assert "HTTP 500" in str(error.value) and TEST_API_KEY not in str(error.value)


def test_unreachable_server_is_reported_as_unavailable():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = OpenAIProvider(
        "m", api_key=TEST_API_KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=5
    )
    with pytest.raises(ProviderUnavailable, match="cannot reach the model server"):
        provider.structured([{"role": "user", "content": "x"}], Plan)


def test_openai_without_key_or_base_url_is_refused():
    with pytest.raises(ProviderUnavailable, match="OPENAI_API_KEY"):
        OpenAIProvider("gpt-4o-mini", api_key=None, base_url=None)
