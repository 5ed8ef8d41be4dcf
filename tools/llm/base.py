"""The provider interface every graph node talks to.

A backend implements one method, `_chat`: send messages, optionally constrained by a JSON schema,
optionally returning the top log-probabilities of the first generated token. On top of it this
module builds the two calls the graphs make:

- `structured(messages, Model)`: a validated pydantic object (re-asked once if the reply is invalid);
- `label_probs(messages, labels)`: a probability for each label, read from first-token log-probs.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterator, Sequence, TypeVar

from pydantic import BaseModel, ValidationError

from tools.errors import ProviderError

Message = dict[str, str]
T = TypeVar("T", bound=BaseModel)

current_node: contextvars.ContextVar[str] = contextvars.ContextVar("current_node", default="other")


class ProviderUnavailable(ProviderError):
    """The provider cannot run at all (missing model file, unreachable server)."""


class InvalidModelOutput(ProviderError):
    """The model answered, but not with a valid object after the allowed re-asks; a node can degrade."""


@dataclass
class ChatResult:
    content: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # (token, logprob) pairs for the first generated token, best first; empty if not requested.
    first_token_top_logprobs: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class NodeUsage:
    llm_calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_seconds: float = 0.0
    wall_seconds: float = 0.0


class UsageTracker:
    """Counts calls, tokens and model time per graph node (thread-safe: fan-out runs in threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.per_node: dict[str, NodeUsage] = defaultdict(NodeUsage)

    def record(self, node: str, result: ChatResult, seconds: float) -> None:
        with self._lock:
            usage = self.per_node[node]
            usage.llm_calls += 1
            usage.prompt_tokens += result.prompt_tokens
            usage.completion_tokens += result.completion_tokens
            usage.llm_seconds += seconds

    def record_cache_hit(self, node: str) -> None:
        with self._lock:
            self.per_node[node].cached_calls += 1

    def record_wall(self, node: str, seconds: float) -> None:
        with self._lock:
            self.per_node[node].wall_seconds += seconds

    def totals(self) -> NodeUsage:
        with self._lock:
            total = NodeUsage()
            for usage in self.per_node.values():
                total.llm_calls += usage.llm_calls
                total.cached_calls += usage.cached_calls
                total.prompt_tokens += usage.prompt_tokens
                total.completion_tokens += usage.completion_tokens
                total.llm_seconds += usage.llm_seconds
                total.wall_seconds += usage.wall_seconds
            return total


def label_distribution(
    top_logprobs: Sequence[tuple[str, float]], labels: Sequence[str]
) -> tuple[dict[str, float], float]:
    """Map first-token log-probs onto labels; returns (normalised probabilities, raw mass covered).

    A token counts for a label when, stripped of spaces and quotes, it is a non-empty prefix of the
    label (case-insensitive): "SUP", " SUPPORTED", "\"S". Labels must start with distinct prefixes
    for this to be unambiguous; the verifier's labels start with S, R and N.
    """
    mass = {label: 0.0 for label in labels}
    for token, logprob in top_logprobs:
        piece = token.strip().strip("\"'`*").upper()
        if not piece:
            continue
        matches = [label for label in labels if label.upper().startswith(piece)]
        if len(matches) == 1:
            mass[matches[0]] += math.exp(logprob)
    covered = sum(mass.values())
    if covered <= 0:
        return {label: 1.0 / len(labels) for label in labels}, 0.0
    return {label: value / covered for label, value in mass.items()}, covered


def _schema_of(model: type[BaseModel]) -> dict:
    return model.model_json_schema()


def _parse_json_object(text: str) -> object:
    """Parse the reply as JSON, tolerating a fenced block or text around one object."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.strip("`")
        stripped = stripped[stripped.find("\n") + 1:] if "\n" in stripped else stripped
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        start, end = stripped.find("{"), stripped.rfind("}")
        if start >= 0 and end > start:
            return json.loads(stripped[start:end + 1])
        raise


class LLMProvider:
    """Base class: subclasses implement `_chat` and set `name` and `model`."""

    name: str = "base"
    model: str = ""
    #: True for a backend that can run one call at a time (one in-process model): calls from fan-out
    #: threads queue on a lock, and the time spent waiting is not counted as model time.
    serial_calls: bool = False

    def __init__(self, tracker: UsageTracker | None = None, seed: int = 0, temperature: float = 0.0,
                 max_tokens: int = 1024) -> None:
        self.tracker = tracker or UsageTracker()
        self.seed = seed
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._call_lock = threading.Lock() if self.serial_calls else contextlib.nullcontext()
        self.cache = None  # a ResponseCache (tools/llm/cache.py), set by whoever builds the provider

    # -- backend hook -------------------------------------------------------------------------
    def _chat(self, messages: list[Message], *, json_schema: dict | None, schema_name: str,
              max_tokens: int, temperature: float, seed: int, top_logprobs: int | None) -> ChatResult:
        raise NotImplementedError

    # -- calls the graphs make ----------------------------------------------------------------
    def _timed_chat(self, messages: list[Message], **kwargs) -> ChatResult:
        key = None
        if self.cache is not None:
            key = self.cache.key(self.name, self.model, messages, kwargs)
            cached = self.cache.get(key)
            if cached is not None:
                self.tracker.record_cache_hit(current_node.get())
                return cached
        result = self._uncached_chat(messages, **kwargs)
        if key is not None:
            self.cache.put(key, result)
        return result

    def _uncached_chat(self, messages: list[Message], **kwargs) -> ChatResult:
        with self._call_lock:
            started = time.perf_counter()
            result = self._chat(messages, **kwargs)
            elapsed = time.perf_counter() - started
        self.tracker.record(current_node.get(), result, elapsed)
        return result

    def structured(self, messages: list[Message], output: type[T], *, max_tokens: int | None = None,
                   temperature: float | None = None, seed: int | None = None, attempts: int = 2) -> T:
        """Ask for an object matching `output`'s JSON schema; re-ask once if the reply does not validate."""
        schema = _schema_of(output)
        conversation = list(messages)
        last_error = ""
        for _ in range(attempts):
            result = self._timed_chat(
                conversation, json_schema=schema, schema_name=output.__name__,
                max_tokens=min(max_tokens or self.max_tokens, self.max_tokens),  # the setting caps every call
                temperature=self.temperature if temperature is None else temperature,
                seed=self.seed if seed is None else seed, top_logprobs=None,
            )
            try:
                return output.model_validate(_parse_json_object(result.content))
            except (json.JSONDecodeError, ValidationError) as exc:
                last_error = str(exc).splitlines()[0]
                conversation = list(messages) + [
                    {"role": "assistant", "content": result.content},
                    {"role": "user", "content": "That reply was not valid JSON for the required schema "
                                                f"({last_error}). Reply again with only the JSON object."},
                ]
        raise InvalidModelOutput(
            f"{self.name} model gave no valid {output.__name__} after {attempts} tries: {last_error}"
        )

    def _stream(self, messages: list[Message], *, max_tokens: int, temperature: float,
                seed: int) -> Iterator[str | ChatResult]:
        """Backend hook: yield text pieces as they arrive, then one `ChatResult` with the usage.
        The default streams nothing: it yields the whole reply at once."""
        result = self._chat(messages, json_schema=None, schema_name="text", max_tokens=max_tokens,
                            temperature=temperature, seed=seed, top_logprobs=None)
        yield result.content
        yield result

    def stream(self, messages: list[Message], *, max_tokens: int | None = None,
               temperature: float | None = None) -> Iterator[str]:
        """Free text, piece by piece as the model writes it (usage is recorded when it ends)."""
        with self._call_lock:
            started = time.perf_counter()
            for piece in self._stream(messages, max_tokens=min(max_tokens or self.max_tokens, self.max_tokens),
                                      temperature=self.temperature if temperature is None else temperature,
                                      seed=self.seed):
                if isinstance(piece, ChatResult):
                    self.tracker.record(current_node.get(), piece, time.perf_counter() - started)
                elif piece:
                    yield piece

    def label_probs(
        self, messages: list[Message], labels: Sequence[str], *, top_logprobs: int = 20
    ) -> tuple[dict[str, float], float]:
        """Probability of each label as the reply's first token; also returns the raw mass covered."""
        result = self._timed_chat(
            messages, json_schema=None, schema_name="label", max_tokens=1, temperature=0.0,
            seed=self.seed, top_logprobs=top_logprobs,
        )
        if result.first_token_top_logprobs:
            return label_distribution(result.first_token_top_logprobs, labels)
        # No logprobs from this backend: fall back on the text of the reply, with no confidence in it.
        text = result.content.strip().upper()
        for label in labels:
            if text and label.startswith(text[: len(label)]):
                return {lab: (1.0 if lab == label else 0.0) for lab in labels}, 0.0
        return {label: 1.0 / len(labels) for label in labels}, 0.0

    def close(self) -> None:  # pragma: no cover - backends override when they hold resources
        pass
