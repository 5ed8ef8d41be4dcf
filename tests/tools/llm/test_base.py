import math

import pytest
from pydantic import BaseModel

from agent.errors import ProviderError
from tools.llm.base import ChatResult, LLMProvider, label_distribution

LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")


def test_label_distribution_maps_prefix_tokens_and_normalises():
    top = [("SUP", math.log(0.6)), (" SUPPORTED", math.log(0.1)), ("NOT", math.log(0.2)),
           ("REF", math.log(0.05)), ("The", math.log(0.05))]
    probs, mass = label_distribution(top, LABELS)
    assert mass == pytest.approx(0.95)
    assert probs["SUPPORTED"] == pytest.approx(0.7 / 0.95)
    assert probs["NOT_ENOUGH_INFO"] == pytest.approx(0.2 / 0.95)
    assert sum(probs.values()) == pytest.approx(1.0)


def test_label_distribution_without_label_tokens_is_uniform_with_zero_mass():
    probs, mass = label_distribution([("The", -0.1)], LABELS)
    assert mass == 0.0 and set(probs.values()) == {1 / 3}


class Answer(BaseModel):
    value: int


class ReplayProvider(LLMProvider):
    """A provider whose backend replays fixed replies: tests the shared re-ask logic, not a backend."""

    name = "replay"

    def __init__(self, replies):
        super().__init__()
        self.replies = list(replies)
        self.conversations = []

    def _chat(self, messages, **kwargs):
        self.conversations.append(messages)
        return ChatResult(content=self.replies.pop(0), prompt_tokens=3, completion_tokens=2)


def test_structured_reasks_once_after_invalid_json():
    provider = ReplayProvider(['{"value": "not a number"', '```json\n{"value": 7}\n```'])
    assert provider.structured([{"role": "user", "content": "q"}], Answer).value == 7
    assert "not valid JSON" in provider.conversations[1][-1]["content"]
    assert provider.tracker.totals().llm_calls == 2


def test_structured_gives_a_clear_error_after_the_last_try():
    provider = ReplayProvider(["nope", "still nope"])
    with pytest.raises(ProviderError, match="no valid Answer after 2 tries"):
        provider.structured([{"role": "user", "content": "q"}], Answer)
